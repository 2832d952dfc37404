"""Staff members' Telegram links: made, completed and removed, each audited.

A staff member asks for a one-time code in Tropa (valid LINK_MINUTES, stored
only as a keyed hash) and sends it to the bot as `/start staff_<code>`; the
chat id is then sealed to the channel key, never stored in plaintext.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from tropa import vault
from tropa.accounts.models import Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.channels.delivery import channel_keys
from tropa.channels.models import StaffLink
from tropa.core import clock

LINK_MINUTES = 15


def _code_hash(code: str) -> bytes:
    return vault.keyed_hash(settings.TROPA_PEPPER, b"telegram-staff", code.encode())


def start_link(staff: Staff) -> str:
    """A fresh one-time code for this staff member; only its keyed hash is stored."""
    code = vault.random_token(18).hex()
    with transaction.atomic():
        StaffLink.objects.update_or_create(
            staff=staff,
            defaults={
                "code_hash": _code_hash(code),
                "code_expires_at": clock.now() + timedelta(minutes=LINK_MINUTES),
            },
        )
    return code


def complete_link(code: str, chat_id: int) -> tuple[Staff | None, bool]:
    """Link the chat that sent a valid code. Returns the staff member the code
    belongs to (None for an unknown code) and whether the chat is now linked
    (not for an expired code).

    Runs inside the bot's update transaction (the row is locked against a
    second use of the same code).
    """
    now = clock.now()
    link = (
        StaffLink.objects.select_for_update(of=("self",))
        .select_related("staff")
        .filter(code_hash=_code_hash(code))
        .first()
    )
    if link is None:
        return None, False
    if link.code_expires_at is None or link.code_expires_at <= now:
        return link.staff, False
    link.code_hash = None
    link.code_expires_at = None
    link.sealed_chat = vault.seal_to_many(str(chat_id).encode(), [channel_keys().public_key])
    link.linked_at = now
    link.save(update_fields=["code_hash", "code_expires_at", "sealed_chat", "linked_at"])
    record(link.staff, Action.TELEGRAM_LINKED, target=link.staff)
    return link.staff, True


def unlink(staff: Staff) -> None:
    with transaction.atomic():
        deleted, _ = StaffLink.objects.filter(staff=staff).delete()
        if deleted:
            record(staff, Action.TELEGRAM_UNLINKED, target=staff)
