"""The Telegram outbox: every message the bot sends, retried until Telegram has it.

A row is written in the transaction of whatever caused it (a consultant's
reply, the next question), with its chat id and text sealed to the channel key:
the one key the bot can open with nobody signed in. That key derives from the
instance pepper, so the payload is emptied the moment Telegram takes the
message or it is given up; a delivered row keeps only its times.

Rows are claimed with a conditional UPDATE, like the watcher's jobs, and sent
in order per chat: a later message waits while an earlier one is retried.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from tropa import vault
from tropa.cases.events import record_event
from tropa.cases.models import Attachment, Case, Kind, Message
from tropa.cases.uploads import open_with_file_key
from tropa.channels.api import Api, Button, Failed, Reply
from tropa.channels.events import ChannelEvent
from tropa.channels.models import BotState, Chat, Outgoing, SeenUpdate
from tropa.core import clock

log = logging.getLogger("tropa.telegram")

BATCH = 200
CLAIM_SECONDS = 120
MAX_BACKOFF = timedelta(minutes=30)
# A message Telegram has not taken after this long is given up and marked.
GIVE_UP_AFTER = timedelta(days=3)
# Update ids are kept this long for de-duplication (Telegram keeps updates 24 h).
SEEN_KEPT = timedelta(days=2)
# Unfinished questionnaires are forgotten after this long.
DRAFT_KEPT = timedelta(days=7)


@cache
def _channel_keys(pepper: bytes) -> vault.KeyPair:
    return vault.service_keypair(pepper, b"telegram-outbox")


def channel_keys() -> vault.KeyPair:
    return _channel_keys(settings.TROPA_PEPPER)


# Queueing


def _payload(chat_id: int, **fields: object) -> bytes:
    body = json.dumps({"chat": chat_id, **fields}, ensure_ascii=False).encode()
    return vault.seal_to_many(body, [channel_keys().public_key])


def _buttons(reply: Reply) -> list[list[list[str]]]:
    return [[[b.label, b.data] for b in row] for row in reply.buttons]


def _queued(**fields: Any) -> Outgoing:
    """A new outgoing row, numbered after every earlier one.

    Times are kept to the minute (they follow what requesters do), so this
    number, taken under the bot state row's lock, keeps the order in which
    messages must reach each chat.
    """
    BotState.objects.get_or_create(pk=1)
    BotState.objects.filter(pk=1).update(outgoing_count=F("outgoing_count") + 1)
    position = BotState.objects.values_list("outgoing_count", flat=True).get(pk=1)
    return Outgoing.objects.create(position=position, **fields)


def enqueue(chat: Chat, chat_id: int, reply: Reply, message: Message | None = None) -> Outgoing:
    return _queued(
        chat=chat,
        message=message,
        sealed_payload=_payload(chat_id, text=reply.text, buttons=_buttons(reply)),
    )


def enqueue_to_chat_id(chat_id: int, reply: Reply) -> Outgoing:
    """A message to a chat that is no requester's (a staff member linking)."""
    return _queued(
        chat=None, sealed_payload=_payload(chat_id, text=reply.text, buttons=_buttons(reply))
    )


def enqueue_delete(chat: Chat, chat_id: int, message_id: int) -> Outgoing:
    return _queued(chat=chat, sealed_payload=_payload(chat_id, delete=message_id))


# Hooks from casework


def deliver_reply(
    case: Case, keys: vault.KeyPair, message: Message, text: str, attachments: list[Attachment]
) -> None:
    """A consultant replied on a case that came by Telegram: queue it, and its
    files, for the chat. A file travels as its attachment id and file key."""
    for chat in Chat.objects.filter(case=case).exclude(sealed_chat=None):
        chat_id = int(vault.open_from_many(keys, bytes(chat.sealed_chat)))
        if text.strip():
            enqueue(chat, chat_id, Reply(text), message=message)
        for attachment in attachments:
            file_key = vault.open_from_many(keys, bytes(attachment.sealed_file_key))
            meta = json.loads(vault.open_from_many(keys, bytes(attachment.sealed_meta)))
            _queued(
                chat=chat,
                message=message,
                sealed_payload=_payload(
                    chat_id,
                    document=str(attachment.pk),
                    key=base64.b64encode(file_key).decode(),
                    name=meta["name"],
                ),
            )


def follow_merge(
    source: Case, source_keys: vault.KeyPair, target: Case, target_keys: vault.KeyPair
) -> None:
    """A merged request's chat now writes to, and hears from, the target case."""
    for chat in Chat.objects.filter(case=source):
        if chat.sealed_chat:
            chat_id = vault.open_from_many(source_keys, bytes(chat.sealed_chat))
            chat.sealed_chat = vault.seal_to_many(chat_id, [target_keys.public_key])
        chat.case = target
        chat.save(update_fields=["case", "sealed_chat"])


def checkin_keys(case: Case) -> list[bytes]:
    """The bot checks a Telegram check-in's duress word with the channel key."""
    return [channel_keys().public_key] if Chat.objects.filter(case=case).exists() else []


# Delivering


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=15) * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_pending(api: Api) -> int:
    """Send what is due, in order per chat. Returns how many were delivered."""
    now = clock.now()
    due = list(
        Outgoing.objects.filter(delivered_at=None, failed_at=None, next_attempt_at__lte=now)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .order_by("position")[:BATCH]
    )
    waiting_chats = set(
        Outgoing.objects.filter(delivered_at=None, failed_at=None, next_attempt_at__gt=now)
        .exclude(chat=None)
        .values_list("chat_id", flat=True)
    )
    sent = 0
    for row in due:
        if row.chat_id is not None and row.chat_id in waiting_chats:
            continue  # an earlier message to this chat is waiting to be retried
        claimed = (
            Outgoing.objects.filter(pk=row.pk, delivered_at=None, failed_at=None)
            .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
            .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
        if claimed != 1:
            continue
        try:
            _send(api, row)
        except Failed as failure:
            if row.chat_id is not None:
                waiting_chats.add(row.chat_id)
            _failed(row, failure)
            if failure.code in ("rate_limited", "network"):
                break  # Telegram is busy or unreachable: stop this round
            continue
        Outgoing.objects.filter(pk=row.pk).update(
            delivered_at=clock.now(),
            attempts=row.attempts + 1,
            claimed_until=None,
            last_error="",
            sealed_payload=b"",
        )
        sent += 1
    return sent


def _send(api: Api, row: Outgoing) -> None:
    payload = json.loads(vault.open_from_many(channel_keys(), bytes(row.sealed_payload)))
    if "document" in payload:
        attachment = Attachment.objects.filter(pk=payload["document"]).first()
        if attachment is None:
            return  # deleted with its case meanwhile: nothing to send
        data = open_with_file_key(attachment, base64.b64decode(payload["key"]))
        api.send_document(payload["chat"], data, payload["name"])
        return
    if "delete" in payload:
        try:
            api.delete_message(payload["chat"], payload["delete"])
        except Failed as failure:
            if failure.permanent:
                return  # too old or already gone: nothing more to do
            raise
        return
    buttons = [[Button(label, data) for label, data in row] for row in payload["buttons"]]
    api.send(payload["chat"], Reply(payload["text"], buttons))


def _failed(row: Outgoing, failure: Failed) -> None:
    now = clock.now()
    attempts = row.attempts + 1
    give_up = failure.permanent or now - row.created_at > GIVE_UP_AFTER
    with transaction.atomic():
        if give_up:
            Outgoing.objects.filter(pk=row.pk).update(
                attempts=attempts,
                failed_at=now,
                claimed_until=None,
                last_error=failure.code,
                sealed_payload=b"",
            )
            _mark_undelivered(row, failure.code)
            return
        wait = max(_backoff(attempts), timedelta(seconds=failure.retry_after))
        Outgoing.objects.filter(pk=row.pk).update(
            attempts=attempts,
            next_attempt_at=now + wait,
            claimed_until=None,
            last_error=failure.code,
        )
    log.warning("telegram delivery failed (%s), attempt %d; retrying", failure.code, attempts)


def _mark_undelivered(row: Outgoing, code: str) -> None:
    """A reply that will not reach the person is said on its case's timeline."""
    if row.message_id is None:
        return
    message = Message.objects.select_related("case__keyring").filter(pk=row.message_id).first()
    if message is None or message.case.keyring.shredded_at:
        return
    record_event(
        message.case,
        message.case.public_key,
        ChannelEvent.UNDELIVERED,
        seq=message.seq,
        reason=code,
    )
    log.warning("telegram gave up on a reply (%s); marked on its case", code)


def delivery_states(messages: list[Message]) -> dict[object, Outgoing]:
    """The Telegram delivery of each reply among `messages`."""
    ids = [m.pk for m in messages if m.kind == Kind.REPLY]
    if not ids:
        return {}
    rows = Outgoing.objects.filter(message_id__in=ids).only(
        "message_id", "delivered_at", "failed_at", "attempts", "last_error", "next_attempt_at"
    )
    return {row.message_id: row for row in rows}


def describe_deliveries(messages: list[Message]) -> list[str]:
    """For the case page: what Telegram did with each reply."""
    states = delivery_states(messages)
    said = []
    for message in messages:
        row = states.get(message.pk)
        if row is None:
            said.append("")
        elif row.delivered_at is not None:
            said.append(str(_("delivered by Telegram")))
        elif row.failed_at is not None:
            said.append(str(_("not delivered by Telegram")))
        elif row.attempts:
            said.append(
                str(_("waiting for Telegram (%(count)d attempts)")) % {"count": row.attempts}
            )
        else:
            said.append(str(_("being sent by Telegram")))
    return said


# Keeping little


def forget_old_updates() -> int:
    """The watcher's job: update ids, unfinished questionnaires and chats of
    shredded cases go; delivered payloads are already empty."""
    now = clock.now()
    done = SeenUpdate.objects.filter(seen_at__lt=now - SEEN_KEPT).delete()[0]
    done += Chat.objects.filter(case=None, started_at__lt=now - DRAFT_KEPT).delete()[0]
    done += Chat.objects.exclude(case__keyring__shredded_at=None).exclude(case=None).delete()[0]
    return done


def forget_case(case: Case) -> None:
    """The case is shredded after its retention period: the chat that led to it
    goes, so the person, writing again, starts afresh."""
    Chat.objects.filter(case=case).delete()
