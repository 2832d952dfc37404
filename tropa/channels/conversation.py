"""What the bot does with one update: the intake questionnaire, then the case.

`process` stores an update, with everything it causes, in one transaction:
the person's answer or message (sealed), the bot's answer (queued in the
outbox, sealed to the channel key) and the update id (so a second delivery of
the same update changes nothing). Only then may it be acknowledged to Telegram.

A chat goes LANGUAGE → MODE → QUESTION… (or FREE_TEXT) → CASE. The questions
are the web questionnaire's, from the same file, checked by the same form
fields, so a Telegram request is a request like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tropa import vault
from tropa.cases import actions as case_actions
from tropa.cases import questionnaire, timeline
from tropa.cases.models import Channel, Kind, hour_precision
from tropa.cases.uploads import SealedUpload, seal_bytes
from tropa.channels import staff_links, texts
from tropa.channels.api import Button, FileRef, Incoming, Reply
from tropa.channels.delivery import channel_keys, enqueue
from tropa.channels.models import BotState, Chat, SeenUpdate, Step
from tropa.core import clock
from tropa.intake import actions as intake_actions
from tropa.journeys import actions as journey_actions
from tropa.journeys.models import Channel as CheckInChannel
from tropa.journeys.models import CheckInKind

LANGUAGES = (("ru", "Русский"), ("en", "English"))
# The out-of-hours answer is given at most this often to one chat.
AWAY_EVERY = timedelta(hours=6)
# Longer than any agreed word; longer input is cut, never refused (as on the portal).
WORD_MAX = 100


def chat_lookup(chat_id: int) -> bytes:
    return vault.keyed_hash(settings.TROPA_PEPPER, b"telegram-chat", str(chat_id).encode())


@dataclass
class Downloaded:
    ref: FileRef
    upload: SealedUpload


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


@dataclass
class Outcome:
    """What happened, for the caller to finish after the commit."""

    callback_id: str = ""
    toast: str = ""
    stored: bool = True


def process(update: Incoming, download: Callable[[FileRef], bytes]) -> Outcome:
    """Store one update and everything it causes, once."""
    if SeenUpdate.objects.filter(update_id=update.update_id).exists():
        return Outcome(update.callback_id, stored=False)
    files: list[Downloaded] = []
    if update.files and update.chat_id is not None and update.private:
        chat = Chat.objects.filter(lookup=chat_lookup(update.chat_id)).only("step").first()
        if chat is not None and chat.step == Step.CASE:
            files = fetch_files(update, download)
    with transaction.atomic():
        if not _mark_seen(update):  # the same update, stored meanwhile by another process
            return Outcome(update.callback_id, stored=False)
        if update.chat_id is None or not update.private:
            return Outcome(update.callback_id)  # groups and channels: not for us
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


@dataclass
class Conversation:
    update: Incoming
    files: list[Downloaded]
    chat: Chat = field(init=False)
    outcome: Outcome = field(init=False)

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

    def run(self) -> Outcome:
        update = self.update
        assert update.chat_id is not None
        self.outcome = Outcome(update.callback_id)
        command, rest = update.command
        if command == "/start" and rest.startswith("staff_"):
            link_staff(rest.removeprefix("staff_"), update.chat_id, self)
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
            found = Chat.objects.create(lookup=lookup, started_at=hour_precision(clock.now()))
        self.chat = found
        with translation.override(self.chat.language):
            self.dispatch(command, rest)
        self.chat.save()
        return self.outcome

    def dispatch(self, command: str, rest: str) -> None:
        data = self.update.callback_data
        if data.startswith("lang:"):
            return self.set_language(data.removeprefix("lang:"))
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
            return self.on_mode(command, data)
        if step == Step.QUESTION:
            return self.on_answer(command, data)
        if step == Step.FREE_TEXT:
            return self.on_free_text(command)
        return self.on_case(command, rest, data)

    # Language and mode

    def ask_language(self) -> None:
        self.say(
            texts.choose_language(),
            [[Button(label, f"lang:{code}") for code, label in LANGUAGES]],
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
            return self.ask_mode()
        return self.repeat()

    def ask_mode(self) -> None:
        self.say(
            texts.choose_mode(),
            [[Button(texts.mode_questions(), "mode:q")], [Button(texts.mode_free(), "mode:free")]],
        )

    def on_mode(self, command: str, data: str) -> None:
        if data == "mode:q":
            self.chat.step = Step.QUESTION
            q = questionnaire.load()
            self.say(q.intro[self.chat.language])
            return self.ask(self.questions()[0].id)
        if data == "mode:free":
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

    # The questionnaire

    def questions(self) -> list[questionnaire.Question]:
        return [q for q in questionnaire.load().questions if "telegram" in q.channels]

    def ask(self, question_id: str, group: str = "") -> None:
        q = questionnaire.load()
        question = q.question(question_id)
        assert question is not None
        self.chat.question = question.id
        lang = self.chat.language
        text = question.label[lang]
        if question.help.get(lang):
            text += f"\n\n{question.help[lang]}"
        rows: list[list[Button]] = []
        if question.type in ("choice", "multi"):
            prefix = "a" if question.type == "choice" else "m"
            rows = [
                [Button(option.label[lang], f"{prefix}:{question.id}:{index}")]
                for index, option in enumerate(question.options)
            ]
            if question.type == "multi":
                text += f"\n\n{texts.multi_hint()}"
                rows.append([Button(texts.done(), f"m:{question.id}:done")])
        elif question.type == "region" and not group:
            text += f"\n\n{texts.choose_region_group()}"
            rows = [
                [Button(label[lang], f"g:{code}")]
                for code, label in q.region_groups
                if any(r.group == code for r in q.regions)
            ]
        elif question.type == "region":
            rows = [
                [Button(region.label[lang], f"r:{region.code}")]
                for region in q.regions
                if region.group == group
            ]
            rows.append([Button(texts.back(), "g:")])
        if not question.required:
            rows.append([Button(texts.skip(), f"skip:{question.id}")])
        self.say(text, rows)

    def on_answer(self, command: str, data: str) -> None:
        question = questionnaire.load().question(self.chat.question)
        if question is None:  # the questionnaire changed under this chat
            return self.next_question()
        if self.update.files:
            self.say(texts.finish_questions_first())
            return self.ask(question.id)
        if command:
            return self.ask(question.id)
        draft = self.draft()
        if data == f"skip:{question.id}" and not question.required:
            draft["answers"].pop(question.id, None)
            self.keep_draft(draft)
            return self.next_question()
        value: Any = None
        if question.type == "choice" and data.startswith(f"a:{question.id}:"):
            value = self.option(question, data)
        elif question.type == "multi" and data.startswith(f"m:{question.id}:"):
            return self.toggle(question, data, draft)
        elif question.type == "region" and data.startswith("g:"):
            return self.ask(question.id, group=data.removeprefix("g:"))
        elif question.type == "region" and data.startswith("r:"):
            value = data.removeprefix("r:")
        elif question.type in ("text", "textarea", "date") and self.update.text and not data:
            value = self.update.text
        if value is None:
            if not data:
                self.say(texts.use_buttons())
            return self.ask(question.id)
        error = self.check(question, value)
        if error:
            self.say(error)
            return self.ask(question.id)
        draft["answers"][question.id] = value
        self.keep_draft(draft)
        self.next_question()

    def option(self, question: questionnaire.Question, data: str) -> str | None:
        try:
            return question.options[int(data.rsplit(":", 1)[1])].value
        except (ValueError, IndexError):
            return None

    def toggle(self, question: questionnaire.Question, data: str, draft: dict[str, Any]) -> None:
        picked: list[str] = draft.get("picked", [])
        if data.endswith(":done"):
            if picked:
                draft["answers"][question.id] = picked
            draft["picked"] = []
            self.keep_draft(draft)
            return self.next_question()
        value = self.option(question, data)
        if value is None:
            return self.ask(question.id)
        label = next(o.label[self.chat.language] for o in question.options if o.value == value)
        if value in picked:
            picked.remove(value)
            self.toast(texts.removed(label))
        else:
            picked.append(value)
            self.toast(texts.added(label))
        draft["picked"] = picked
        self.keep_draft(draft)

    def check(self, question: questionnaire.Question, value: Any) -> str:
        """The web form's own check of one answer: its message, or ""."""
        form = questionnaire.form_class(self.chat.language, "telegram")
        form_field = form.base_fields[question.id]
        too_long = isinstance(value, str) and len(value) > question.max_length
        if too_long and question.type in ("text", "textarea"):
            return texts.too_long(question.max_length)
        try:
            form_field.clean(value)
        except ValidationError as error:
            return " ".join(str(message) for message in error.messages)
        return ""

    def next_question(self) -> None:
        ids = [q.id for q in self.questions()]
        position = ids.index(self.chat.question) + 1 if self.chat.question in ids else len(ids)
        if position < len(ids):
            return self.ask(ids[position])
        self.submit()

    def on_free_text(self, command: str) -> None:
        if self.update.files:
            return self.say(texts.finish_questions_first())
        if command or not self.update.text:
            return self.say(texts.free_text_prompt())
        draft = self.draft()
        draft["answers"] = {"story": self.update.text}
        self.keep_draft(draft)
        self.submit()

    def submit(self) -> None:
        draft = self.draft()
        answers = request_answers(draft, self.chat.language)
        case = intake_actions.create_case(answers, self.chat.language, channel=Channel.TELEGRAM)
        self.chat.case = case
        self.chat.sealed_chat = vault.seal_to_many(
            str(self.update.chat_id).encode(), [case.public_key]
        )
        self.chat.sealed_draft = None
        self.chat.question = ""
        self.chat.step = Step.CASE
        self.say(texts.received())
        self.tell_if_away()

    # The case

    def on_case(self, command: str, rest: str, data: str) -> None:
        case = self.chat.case
        assert case is not None
        if command == "/delete":
            return self.say(
                texts.delete_confirm(),
                [[Button(texts.delete_yes(), "del:yes")], [Button(texts.delete_no(), "del:no")]],
            )
        if data == "del:yes":
            intake_actions.delete_case(case)
            self.chat.delete()
            self.chat.pk = None  # nothing to save: the chat is gone with the case
            return self.say_after_delete()
        if data == "del:no":
            return self.say(texts.kept())
        if command == "/checkin":
            return self.checkin_menu()
        if command in ("/safe", "/sos") or data in ("c:safe", "c:help"):
            kind = CheckInKind.HELP if command == "/sos" or data == "c:help" else CheckInKind.SAFE
            return self.check_in(kind, rest if command else "")
        if command == "/start":
            return self.say(texts.help_text())
        if data:
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
            started_at=hour_precision(clock.now()),
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
        from tropa.cases.uploads import store_upload

        sealed = vault.seal_to_many(self.update.text.encode(), recipients)
        message = timeline.append(case, Kind.FROM_REQUESTER, sealed)
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
        self.chat.away_told_at = hour_precision(now)
        self.say(texts.away(now))

    # Check-ins

    def checkin_menu(self) -> None:
        assert self.chat.case is not None
        if journey_actions.active_leg(self.chat.case) is None:
            return self.say(texts.nothing_to_check_in())
        self.say(
            texts.checkin_prompt(),
            [
                [Button(texts.checkin_safe_button(), "c:safe")],
                [Button(texts.checkin_help_button(), "c:help")],
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
                channel=CheckInChannel.TELEGRAM,
                word=word[:WORD_MAX],
                requester_keys=channel_keys(),
            )
        except case_actions.NotAllowed:  # the leg ended between reading and writing
            return self.say(texts.nothing_to_check_in())
        if self.update.message_id is not None:
            # The word should not stay on the phone; safe or duress alike.
            from tropa.channels.delivery import enqueue_delete

            enqueue_delete(self.chat, self.update.chat_id, self.update.message_id)
        if kind == CheckInKind.HELP:
            self.say(texts.checkin_help_recorded())
        else:
            self.say(texts.checkin_recorded())


def request_answers(draft: dict[str, Any], language: str) -> dict[str, Any]:
    """The answers as the web form would give them, checked by the same form."""
    data: dict[str, Any] = dict(draft.get("answers", {}))
    before = "\n\n".join(draft.get("before", []))
    if before:
        data["story"] = f"{before}\n\n{data.get('story', '')}".strip()
    data.setdefault("situation", "other")
    form_class = questionnaire.form_class(language, "telegram")
    for _attempt in range(len(form_class.base_fields) + 1):
        form = form_class(data=data)
        if form.is_valid():
            return dict(form.cleaned_data)
        # The questionnaire changed mid-conversation: drop what no longer fits.
        for name in form.errors:
            data.pop(name, None)
        data.setdefault("situation", "other")
    raise ValueError("the questionnaire refuses every answer")


def link_staff(code: str, chat_id: int, conversation: Conversation) -> None:
    """`/start staff_<code>`, from the link a staff member made in Tropa."""
    from tropa.channels.delivery import enqueue_to_chat_id

    with translation.override(staff_links.language_for_code(code)):
        if staff_links.complete_link(code, chat_id) is None:
            enqueue_to_chat_id(chat_id, Reply(texts.staff_code_wrong()))
            return
        enqueue_to_chat_id(chat_id, Reply(texts.staff_linked()))
