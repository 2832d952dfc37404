"""The notifier interface: how staff are told that something is waiting.

A notifier gets a staff member and a kind, never case content or an alias,
and raises DeliveryFailed when it could not deliver (the outbox retries).
E-mail lives here; the Telegram app registers its own notifier from its wiring.
"""

from __future__ import annotations

from typing import Protocol

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from tropa.accounts.models import Staff
from tropa.core.registry import Named
from tropa.notify.models import NotificationKind


class DeliveryFailed(Exception):
    pass


class Notifier(Protocol):
    def wants(self, staff: Staff) -> bool: ...

    def send(self, staff: Staff, kind: NotificationKind) -> None: ...


class EmailNotifier:
    def wants(self, staff: Staff) -> bool:
        return bool(staff.email and staff.notify_by_email)

    def send(self, staff: Staff, kind: NotificationKind) -> None:
        if not staff.email or not staff.notify_by_email:
            return  # nothing to deliver to: done, not failed
        with translation.override(staff.language):
            if kind == NotificationKind.LOOP_DOWN:
                subject = _("Tropa: URGENT, escalations are not running")
                body = _(
                    "Tropa's watcher or Telegram bot has stopped: missed check-ins are not "
                    "escalated until it runs again. Sign in to see which, and get an admin to "
                    "restart it now.\n\nThis message says nothing more on purpose."
                )
            elif kind.urgent:
                subject = _("Tropa: URGENT, an alert needs you now")
                body = _(
                    "An alert in Tropa needs you now. Sign in and acknowledge it.\n\n"
                    "This message says nothing more on purpose."
                )
            else:
                subject = _("Tropa: something new for you")
                body = _(
                    "There is something new for you in Tropa. Sign in to see it.\n\n"
                    "This message says nothing more on purpose."
                )
        try:
            send_mail(subject, body, None, [staff.email])
        except Exception as error:  # noqa: BLE001 - any mail failure is retried
            raise DeliveryFailed(type(error).__name__) from None


# Channel name -> notifier; e-mail first (tropa/notify/wiring.py), others from
# the wiring of the app that owns the channel.
NOTIFIERS: Named[Notifier] = Named("notifiers")


def channels_for(staff: Staff, *, always_email: bool = False) -> list[str]:
    """The channels that should tell this staff member (e-mail first)."""
    return [
        name
        for name, notifier in NOTIFIERS.items()
        if (always_email and name == "email") or notifier.wants(staff)
    ]


def notifier_for(channel: str) -> Notifier:
    notifier = NOTIFIERS.get(channel)
    if notifier is None:
        raise DeliveryFailed(f"no notifier for {channel}")
    return notifier
