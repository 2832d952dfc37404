"""Where the Telegram channel plugs into lower apps: every hook, notifier and job."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tropa.cases import events, hooks
from tropa.channels import delivery, telegram_notifier
from tropa.channels.events import RENDERERS
from tropa.channels.runner import HEARTBEAT
from tropa.core import heartbeats, watch
from tropa.notify.notifiers import NOTIFIERS


def connect() -> None:
    hooks.AFTER_REPLY.register(delivery.deliver_reply)
    hooks.AFTER_MERGE.register(delivery.follow_merge)
    hooks.CHECKIN_KEYS.register(delivery.checkin_keys)
    hooks.DELIVERY.register(delivery.describe_deliveries)
    hooks.SHREDDED.register(delivery.forget_case)
    NOTIFIERS.register("telegram", telegram_notifier.TelegramNotifier())
    watch.JOBS.register(delivery.forget_old_updates)
    heartbeats.LOOPS.register(
        HEARTBEAT,
        heartbeats.Loop(
            HEARTBEAT, _("The Telegram bot"), lambda: bool(settings.TROPA_TELEGRAM_TOKEN)
        ),
    )
    for kind, render in RENDERERS.items():
        events.RENDERERS.register(kind, render)
