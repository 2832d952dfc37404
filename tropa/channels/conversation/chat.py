"""One chat's conversation: language, mode, then the questionnaire or the case.

A chat goes LANGUAGE → MODE → QUESTION… (or FREE_TEXT) → CASE. The questions
are the web questionnaire's (tropa/channels/conversation/questions.py); once a
request exists the chat carries its conversation (conversation/case.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from tropa import vault
from tropa.cases import questionnaire
from tropa.cases.uploads import SealedUpload
from tropa.channels import callbacks, texts
from tropa.channels.api import Button, FileRef, Incoming, Reply
from tropa.channels.callbacks import Press
from tropa.channels.chats import chat_lookup
from tropa.channels.conversation.case import CaseSteps, link_staff
from tropa.channels.conversation.questions import QuestionnaireSteps
from tropa.channels.delivery import (
    channel_keys,
    enqueue,
)
from tropa.channels.models import Chat, Step
from tropa.core import clock, languages, self_help, surge

LANGUAGES = tuple((spoken.code, spoken.own_name) for spoken in languages.REQUESTER)


@dataclass
class Downloaded:
    ref: FileRef
    upload: SealedUpload


@dataclass
class Handled:
    """What happened, for the caller to finish after the commit."""

    callback_id: str = ""
    toast: str = ""
    stored: bool = True


@dataclass
class Conversation(QuestionnaireSteps, CaseSteps):
    update: Incoming
    files: list[Downloaded]
    chat: Chat = field(init=False)
    outcome: Handled = field(init=False)

    # Sending

    def say(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        assert self.update.chat_id is not None
        enqueue(self.chat, self.update.chat_id, Reply(text, buttons or []))

    def toast(self, text: str) -> None:
        self.outcome.toast = text

    # The draft: answers so far, sealed to the channel key

    def draft(self) -> dict[str, Any]:
        if not self.chat.sealed_draft:
            return {"answers": {}, "before": [], "picked": []}
        data: dict[str, Any] = json.loads(
            vault.open_from_many(channel_keys(), bytes(self.chat.sealed_draft))
        )
        return data

    def keep_draft(self, draft: dict[str, Any]) -> None:
        body = json.dumps(draft, ensure_ascii=False).encode()
        self.chat.sealed_draft = vault.seal_to_many(body, [channel_keys().public_key])

    # The run

    def run(self) -> Handled:
        update = self.update
        assert update.chat_id is not None
        self.outcome = Handled(update.callback_id)
        command, rest = update.command
        if command == "/start" and rest.startswith("staff_"):
            link_staff(rest.removeprefix("staff_"), update.chat_id)
            return self.outcome
        lookup = chat_lookup(update.chat_id)
        chat = (
            Chat.objects.select_for_update(of=("self",))
            .select_related("case__keyring")
            .filter(lookup=lookup)
        )
        found = chat.first()
        if found is not None and found.case is not None and found.case.keyring.shredded_at:
            found.delete()  # deleted or discarded: this is someone starting afresh
            found = None
        if found is None:
            found = Chat.objects.create(lookup=lookup, started_at=clock.now())
        self.chat = found
        with translation.override(self.chat.language):
            self.dispatch(command, rest)
        self.chat.save()
        return self.outcome

    def dispatch(self, command: str, rest: str) -> None:
        pressed = callbacks.decode(self.update.callback_data)
        if pressed.kind == Press.LANGUAGE:
            return self.set_language(pressed.arg(0))
        if command == "/official":
            return self.say(texts.official())
        if command == "/help":
            return self.say(texts.help_text())
        if command == "/language":
            return self.ask_language()
        if command == "/delete" and self.chat.case is None:
            # Mid-questionnaire: the unfinished answers go at once, no questions asked.
            self.chat.delete()
            return self.say_after_delete()
        step = self.chat.step
        if step == Step.LANGUAGE:
            return self.on_language(command)
        if step == Step.MODE:
            return self.on_mode(command, pressed)
        if step == Step.QUESTION:
            return self.on_answer(command, pressed)
        if step == Step.FREE_TEXT:
            return self.on_free_text(command)
        return self.on_case(command, rest, pressed)

    # Language and mode

    def ask_language(self) -> None:
        self.say(
            texts.choose_language(),
            [  # three to a row, so that each name stays readable on a phone
                [Button(label, callbacks.encode(Press.LANGUAGE, code)) for code, label in row]
                for row in (LANGUAGES[i : i + 3] for i in range(0, len(LANGUAGES), 3))
            ],
        )

    def remember_words(self) -> None:
        """Words written before the questions are kept for the request, not dropped."""
        if self.update.text and not self.update.command[0]:
            draft = self.draft()
            draft["before"].append(self.update.text[: questionnaire.MAX_TEXT])
            self.keep_draft(draft)
        if self.update.files:
            self.say(texts.finish_questions_first())

    def on_language(self, command: str) -> None:
        self.remember_words()
        self.ask_language()

    def set_language(self, code: str) -> None:
        if code not in dict(LANGUAGES):
            return self.ask_language()
        self.chat.language = code
        translation.activate(code)
        if self.chat.step == Step.LANGUAGE:
            self.chat.step = Step.MODE
            self.say(f"{texts.welcome()}\n\n{texts.safer_channel()}")
            if surge.current().on:  # answered at once with what to do while waiting
                self.say(self_help.as_text(surge.own_words(code)))
            return self.ask_mode()
        return self.repeat()

    def ask_mode(self) -> None:
        self.say(
            texts.choose_mode(),
            [
                [Button(texts.mode_questions(), callbacks.encode(Press.MODE, "q"))],
                [Button(texts.mode_free(), callbacks.encode(Press.MODE, "free"))],
            ],
        )

    def on_mode(self, command: str, pressed: callbacks.Pressed) -> None:
        if pressed.is_(Press.MODE, "q"):
            self.chat.step = Step.QUESTION
            q = questionnaire.load()
            self.say(q.intro[self.chat.language])
            return self.ask(self.questions()[0].id)
        if pressed.is_(Press.MODE, "free"):
            self.chat.step = Step.FREE_TEXT
            return self.say(texts.free_text_prompt())
        if self.update.text and not command:
            return self.on_free_text(command)  # they just wrote: that is their request
        if self.update.files:
            self.say(texts.finish_questions_first())
        return self.ask_mode()

    def repeat(self) -> None:
        """Say again what the chat is waiting for."""
        if self.chat.step == Step.LANGUAGE:
            return self.ask_language()
        if self.chat.step == Step.MODE:
            return self.ask_mode()
        if self.chat.step == Step.QUESTION:
            return self.ask(self.chat.question)
        if self.chat.step == Step.FREE_TEXT:
            return self.say(texts.free_text_prompt())
        return self.say(texts.help_text())
