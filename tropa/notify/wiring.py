"""What the notify app plugs in: e-mail as the first notifier, and outbox delivery."""

from __future__ import annotations

from tropa.core import watch
from tropa.notify import notifiers, outbox


def connect() -> None:
    notifiers.NOTIFIERS.register("email", notifiers.EmailNotifier())
    watch.DELIVERY_JOBS.register(outbox.deliver_outbox)
