"""The notifier interface: how staff are told that something is waiting.

A notifier gets a staff member and a kind, never case content or an alias,
and raises DeliveryFailed when it could not deliver (the outbox retries).
E-mail here; tropa/channels/notifier.py adds Telegram for staff who opt in.
"""

from __future__ import annotations

from typing import Protocol

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from tropa.accounts.models import Staff


class DeliveryFailed(Exception):
    pass


class Notifier(Protocol):
    def wants(self, staff: Staff) -> bool: ...

    def send(self, staff: Staff, kind: str) -> None: ...


class EmailNotifier:
    def wants(self, staff: Staff) -> bool:
        return bool(staff.email and staff.notify_by_email)

    def send(self, staff: Staff, kind: str) -> None:
        if not staff.email or not staff.notify_by_email:
            return  # nothing to deliver to: done, not failed
        urgent = kind.startswith("alert_")
        with translation.override(staff.language):
            if urgent:
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


NOTIFIERS: dict[str, Notifier] = {"email": EmailNotifier()}


def channels_for(staff: Staff, *, always_email: bool = False) -> list[str]:
    """The channels that should tell this staff member (e-mail first)."""
    return [
        name
        for name, notifier in NOTIFIERS.items()
        if (always_email and name == "email") or notifier.wants(staff)
    ]


def queue(people: list[Staff], kind: str, *, always_email: bool = False) -> int:
    """One outbox row per person and channel that should tell them; how many."""
    from tropa.journeys.models import Outbox

    rows = [
        Outbox(staff=person, kind=kind, channel=channel)
        for person in people
        for channel in channels_for(person, always_email=always_email)
    ]
    Outbox.objects.bulk_create(rows)
    return len(rows)


def notifier_for(channel: str) -> Notifier:
    try:
        return NOTIFIERS[channel]
    except KeyError:
        raise DeliveryFailed(f"no notifier for {channel}") from None
