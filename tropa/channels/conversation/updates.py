"""Taking one update from Telegram: stored once, with everything it causes.

`process` stores an update, with everything it causes, in one transaction:
the person's answer or message (sealed), the bot's answer (queued in the
outbox, sealed to the channel key) and the update id (so a second delivery of
the same update changes nothing). Only then may it be acknowledged to Telegram.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction

from tropa.cases.uploads import SealedUpload, seal_bytes
from tropa.channels.api import FileRef, Incoming
from tropa.channels.chats import chat_lookup
from tropa.channels.conversation.chat import Conversation, Downloaded, Handled
from tropa.channels.models import BotState, Chat, SeenUpdate, Step


def fetch_files(update: Incoming, download: Callable[[FileRef], bytes]) -> list[Downloaded]:
    """Each file, downloaded and sealed at once; too big ones are not even fetched.

    A download that fails raises api.Failed: the update is then not stored and
    not acknowledged, and comes again.
    """
    limit = settings.TROPA_MAX_FILE_MB * 1024 * 1024
    found = []
    for ref in update.files[: settings.TROPA_MAX_FILES]:
        if ref.size is not None and ref.size > limit:
            found.append(Downloaded(ref, SealedUpload(name=ref.name, error="too_big")))
            continue
        found.append(Downloaded(ref, seal_bytes(ref.name, download(ref), telegram=True)))
    return found


def process(update: Incoming, download: Callable[[FileRef], bytes]) -> Handled:
    """Store one update and everything it causes, once."""
    if SeenUpdate.objects.filter(update_id=update.update_id).exists():
        return Handled(update.callback_id, stored=False)
    files: list[Downloaded] = []
    if update.files and update.chat_id is not None and update.private:
        chat = Chat.objects.filter(lookup=chat_lookup(update.chat_id)).only("step").first()
        if chat is not None and chat.step == Step.CASE:
            files = fetch_files(update, download)
    with transaction.atomic():
        if not _mark_seen(update):  # the same update, stored meanwhile by another process
            return Handled(update.callback_id, stored=False)
        if update.chat_id is None or not update.private:
            return Handled(update.callback_id)  # groups and channels: not for us
        return Conversation(update, files).run()


def _mark_seen(update: Incoming) -> bool:
    """Record the update as stored and move the polling offset past it."""
    try:
        with transaction.atomic():
            SeenUpdate.objects.create(update_id=update.update_id)
    except IntegrityError:
        return False
    state, _created = BotState.objects.get_or_create(pk=1)
    if state.offset <= update.update_id:
        BotState.objects.filter(pk=1).update(offset=update.update_id + 1)
    return True


def set_aside(update: Incoming) -> None:
    """Give up on an update that keeps failing: acknowledged, not stored."""
    with transaction.atomic():
        _mark_seen(update)
