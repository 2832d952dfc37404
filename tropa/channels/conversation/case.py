"""A chat with a request: messages and files into the case, check-ins, /delete,
and the staff link (`/start staff_<code>`)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import translation

from tropa import vault
from tropa.cases import actions as case_actions
from tropa.cases import search_index, timeline
from tropa.cases.models import Channel, Kind
from tropa.cases.uploads import store_upload
from tropa.channels import callbacks, staff_links, texts
from tropa.channels.api import Button, Incoming, Reply
from tropa.channels.callbacks import Press
from tropa.channels.chats import chat_lookup
from tropa.channels.delivery import (
    channel_keys,
    enqueue_delete,
    enqueue_to_chat_id,
)
from tropa.channels.models import Chat
from tropa.core import clock
from tropa.intake import actions as intake_actions
from tropa.journeys import actions as journey_actions
from tropa.journeys.models import CheckInKind

# The out-of-hours answer is given at most this often to one chat.
AWAY_EVERY = timedelta(hours=6)


class CaseSteps:
    """Mixed into Conversation: what a chat with a request does."""

    chat: Chat
    update: Incoming
    files: list[Any]

    if TYPE_CHECKING:

        def say(self, text: str, buttons: list[list[Button]] | None = None) -> None: ...

    def on_case(self, command: str, rest: str, pressed: callbacks.Pressed) -> None:
        case = self.chat.case
        assert case is not None
        if command == "/delete":
            return self.say(
                texts.delete_confirm(),
                [
                    [Button(texts.delete_yes(), callbacks.encode(Press.DELETE, "yes"))],
                    [Button(texts.delete_no(), callbacks.encode(Press.DELETE, "no"))],
                ],
            )
        if pressed.is_(Press.DELETE, "yes"):
            intake_actions.delete_case(case)
            self.chat.delete()
            self.chat.pk = None  # nothing to save: the chat is gone with the case
            return self.say_after_delete()
        if pressed.is_(Press.DELETE, "no"):
            return self.say(texts.kept())
        if command == "/checkin":
            return self.checkin_menu()
        if command in ("/safe", "/sos") or pressed.kind == Press.CHECKIN:
            asked_help = command == "/sos" or pressed.is_(Press.CHECKIN, "help")
            kind = CheckInKind.HELP if asked_help else CheckInKind.SAFE
            return self.check_in(kind, rest if command else "")
        if command == "/start":
            return self.say(texts.help_text())
        if pressed:
            return None  # an old button: nothing to do
        if command:
            return self.say(texts.help_text())
        self.store_message()

    def say_after_delete(self) -> None:
        assert self.update.chat_id is not None
        # The chat row is gone; a fresh one carries the last words out.
        self.chat = Chat.objects.create(
            lookup=chat_lookup(self.update.chat_id),
            language=self.chat.language,
            started_at=clock.now(),
        )
        self.say(texts.deleted())

    def store_message(self) -> None:
        case = self.chat.case
        assert case is not None
        if self.update.unsupported:
            return self.say(texts.unsupported())
        recipients = [case.public_key, *case_actions.requester_keys(case)]
        kept = [d for d in self.files if not d.upload.error]
        for refused in (d for d in self.files if d.upload.error):
            reason = {
                "too_big": texts.file_too_big,
                "type": texts.file_wrong_type,
                "empty": texts.file_empty,
            }.get(refused.upload.error, texts.file_wrong_type)()
            self.say(texts.file_refused(refused.ref.name, reason))
        if not self.update.text and not kept:
            return
        sealed = vault.seal_to_many(self.update.text.encode(), recipients)
        message = timeline.append(case, Kind.FROM_REQUESTER, sealed)
        search_index.delta(case, case.public_key, f"m{message.seq}", self.update.text)
        for item in kept:
            store_upload(item.upload, case, message, recipients)
        transaction.on_commit(lambda: case_actions.notify_new_message(case))
        self.tell_if_away()

    def tell_if_away(self) -> None:
        now = clock.now()
        if texts.in_hours(now):
            return
        told = self.chat.away_told_at
        if told is not None and now - told < AWAY_EVERY:
            return
        self.chat.away_told_at = now  # kept to the hour by the field
        self.say(texts.away(now))

    # Check-ins

    def checkin_menu(self) -> None:
        assert self.chat.case is not None
        if journey_actions.active_leg(self.chat.case) is None:
            return self.say(texts.nothing_to_check_in())
        self.say(
            texts.checkin_prompt(),
            [
                [Button(texts.checkin_safe_button(), callbacks.encode(Press.CHECKIN, "safe"))],
                [Button(texts.checkin_help_button(), callbacks.encode(Press.CHECKIN, "help"))],
            ],
        )

    def check_in(self, kind: str, word: str) -> None:
        """As on the portal: with the duress word, everything the person sees
        is what "I am safe" shows; only staff are alerted, silently."""
        assert self.chat.case is not None and self.update.chat_id is not None
        leg = journey_actions.active_leg(self.chat.case)
        if leg is None:
            return self.say(texts.nothing_to_check_in())
        try:
            journey_actions.check_in(
                leg,
                kind,
                channel=Channel.TELEGRAM,
                word=word,  # the note: kept to its first characters by the action
                requester_keys=channel_keys(),
            )
        except case_actions.NotAllowed:  # the leg ended between reading and writing
            return self.say(texts.nothing_to_check_in())
        if self.update.message_id is not None:
            # The word should not stay on the phone; safe or duress alike.
            enqueue_delete(self.chat, self.update.chat_id, self.update.message_id)
        if kind == CheckInKind.HELP:
            self.say(texts.checkin_help_recorded())
        else:
            self.say(texts.checkin_recorded())


def link_staff(code: str, chat_id: int) -> None:
    """`/start staff_<code>`, from the link a staff member made in Tropa."""
    staff, linked = staff_links.complete_link(code, chat_id)
    with translation.override(staff.language if staff is not None else "ru"):
        text = texts.staff_linked() if linked else texts.staff_code_wrong()
    enqueue_to_chat_id(chat_id, Reply(text))
