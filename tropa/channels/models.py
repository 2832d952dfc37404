"""The Telegram channel's rows: nothing in them names a person.

A chat is found by a keyed hash of its id (the instance pepper is the key);
the id itself is sealed to the case key, for staff, and, only while a message
waits to be sent, to the channel key inside that message. Usernames, names and
profile photos are never read into the database at all.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Step(models.TextChoices):
    LANGUAGE = "language", "language"
    MODE = "mode", "mode"
    QUESTION = "question", "question"
    FREE_TEXT = "free", "free text"
    CASE = "case", "case"


class Chat(models.Model):
    """One person's private chat with the bot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # vault.keyed_hash(pepper, b"telegram-chat", chat id): finds the chat, reads nothing.
    lookup = models.BinaryField(unique=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="telegram"
    )
    # The chat id, sealed to the case key: staff replying can address it.
    sealed_chat = models.BinaryField(null=True, blank=True)
    language = models.CharField(max_length=8, default="ru")
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.LANGUAGE)
    # The question being asked, by its questionnaire id.
    question = models.CharField(max_length=40, blank=True, default="")
    # Answers so far, sealed to the channel key; gone once the request is made.
    sealed_draft = models.BinaryField(null=True, blank=True)
    # Hour precision: when the out-of-hours answer was last given.
    away_told_at = CoarseDateTimeField(precision="hour", null=True, blank=True)
    started_at = CoarseDateTimeField(precision="hour")

    def __str__(self) -> str:
        return f"telegram chat {str(self.id)[:8]}"


class Outgoing(models.Model):
    """A message for Telegram, retried with back-off until delivered.

    The payload (chat id and text) is sealed to the channel key and emptied
    as soon as Telegram has it, or when it is given up.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # None for a staff member's chat (linking notifications).
    chat = models.ForeignKey(
        Chat, null=True, blank=True, on_delete=models.CASCADE, related_name="outgoing"
    )
    # The timeline entry it carries (a consultant's reply), to show its delivery.
    message = models.ForeignKey(
        "cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The order to send in (times are coarse): see delivery._queued.
    position = models.BigIntegerField(default=0, db_index=True)
    sealed_payload = models.BinaryField()
    created_at = CoarseDateTimeField(precision="minute", default=clock.now)
    # First attempt: when it was queued, to the minute; retries: when due.
    next_attempt_at = models.DateTimeField(default=clock.now_to_minute)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # A code (blocked, not_found, network, rate_limited, refused), never Telegram's text.
    last_error = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["delivered_at", "failed_at", "next_attempt_at"], name="tg_due")
        ]

    def __str__(self) -> str:
        return f"outgoing {str(self.id)[:8]}"


class SeenUpdate(models.Model):
    """Update ids already stored: Telegram may deliver one twice; it counts once."""

    update_id = models.BigIntegerField(primary_key=True)
    seen_at = CoarseDateTimeField(precision="minute", default=clock.now)

    def __str__(self) -> str:
        return str(self.update_id)


class BotState(models.Model):
    """The bot's own public username, and the next update to ask Telegram for."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    username = models.CharField(max_length=64, blank=True, default="")
    # Everything below this update id is stored: asking from here acknowledges it.
    offset = models.BigIntegerField(default=0)
    # Outgoing messages are numbered from this count (tropa/channels/delivery.py).
    outgoing_count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.username


class StaffLink(models.Model):
    """A staff member's opt-in to Telegram notifications ("something needs you").

    The chat id is sealed to the channel key: the watcher must read it with
    nobody signed in. The one-time code that links it is kept as a keyed hash.
    """

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telegram_link"
    )
    code_hash = models.BinaryField(null=True, blank=True, unique=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    sealed_chat = models.BinaryField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"telegram link of {self.staff_id}"
