"""What the notify app plugs in: e-mail as the first notifier, outbox delivery, and
the home block of failing notifications."""

from __future__ import annotations

from tropa.core import home, watch
from tropa.notify import home as notify_home
from tropa.notify import notifiers, outbox


def connect() -> None:
    notifiers.NOTIFIERS.register("email", notifiers.EmailNotifier())
    watch.DELIVERY_JOBS.register(outbox.deliver_outbox)
    home.PROVIDERS.register(notify_home.provide)
