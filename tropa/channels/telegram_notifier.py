"""Telegram notifications for staff who opted in: "something needs you", nothing more.

The watcher delivers them through the outbox like e-mails
(tropa/notify/outbox.py). No case, alias or name is ever in the text.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from tropa import vault
from tropa.accounts.models import Staff
from tropa.channels import api, texts
from tropa.channels.delivery import channel_keys
from tropa.channels.models import StaffLink
from tropa.notify.models import NotificationKind
from tropa.notify.notifiers import DeliveryFailed


class TelegramNotifier:
    def wants(self, staff: Staff) -> bool:
        return (
            bool(settings.TROPA_TELEGRAM_TOKEN)
            and StaffLink.objects.filter(staff=staff, linked_at__isnull=False).exists()
        )

    def send(self, staff: Staff, kind: NotificationKind) -> None:
        link = StaffLink.objects.filter(staff=staff, linked_at__isnull=False).first()
        if link is None or not link.sealed_chat or not settings.TROPA_TELEGRAM_TOKEN:
            return  # unlinked meanwhile: nothing to deliver
        chat_id = int(vault.open_from_many(channel_keys(), bytes(link.sealed_chat)))
        with translation.override(staff.language):
            text = texts.staff_notification(urgent=kind.urgent)
        try:
            api.shared().send(chat_id, api.Reply(text))
        except api.Failed as failure:
            raise DeliveryFailed(f"telegram: {failure.code}") from None
