"""Finding a chat without storing its Telegram id: a keyed hash under the pepper."""

from __future__ import annotations

from django.conf import settings

from tropa import vault


def chat_lookup(chat_id: int) -> bytes:
    return vault.keyed_hash(settings.TROPA_PEPPER, b"telegram-chat", str(chat_id).encode())
