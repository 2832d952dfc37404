"""The questionnaire in a chat: the web form's questions, asked one at a time.

Choices are buttons, several-answers questions toggle and end with "Done", the
region takes two taps, dates and text are typed; each answer is checked by the
web form's own field, so its error messages are the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from tropa import vault
from tropa.cases import questionnaire
from tropa.cases.models import Channel
from tropa.channels import callbacks, texts
from tropa.channels.api import Button, Incoming
from tropa.channels.callbacks import Press
from tropa.channels.models import Chat, Step
from tropa.core import surge
from tropa.intake import actions as intake_actions


class QuestionnaireSteps:
    """Mixed into Conversation: the questionnaire steps."""

    chat: Chat
    update: Incoming

    if TYPE_CHECKING:

        def say(self, text: str, buttons: list[list[Button]] | None = None) -> None: ...
        def toast(self, text: str) -> None: ...
        def draft(self) -> dict[str, Any]: ...
        def keep_draft(self, draft: dict[str, Any]) -> None: ...
        def tell_if_away(self) -> None: ...

    def questions(self) -> list[questionnaire.Question]:
        """The chat's questions: in surge mode only those triage needs."""
        return questionnaire.asked("telegram", short=surge.short_questionnaire())

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
            kind = Press.ANSWER if question.type == "choice" else Press.MULTI
            rows = [
                [Button(option.label[lang], callbacks.encode(kind, question.id, str(index)))]
                for index, option in enumerate(question.options)
            ]
            if question.type == "multi":
                text += f"\n\n{texts.multi_hint()}"
                rows.append(
                    [Button(texts.done(), callbacks.encode(Press.MULTI, question.id, "done"))]
                )
        elif question.type == "region" and not group:
            text += f"\n\n{texts.choose_region_group()}"
            rows = [
                [Button(label[lang], callbacks.encode(Press.REGION_GROUP, code))]
                for code, label in q.region_groups
                if any(r.group == code for r in q.regions)
            ]
        elif question.type == "region":
            rows = [
                [Button(region.label[lang], callbacks.encode(Press.REGION, region.code))]
                for region in q.regions
                if region.group == group
            ]
            rows.append([Button(texts.back(), callbacks.encode(Press.REGION_GROUP, ""))])
        if not question.required:
            rows.append([Button(texts.skip(), callbacks.encode(Press.SKIP, question.id))])
        self.say(text, rows)

    def on_answer(self, command: str, pressed: callbacks.Pressed) -> None:
        question = questionnaire.load().question(self.chat.question)
        if question is None:  # the questionnaire changed under this chat
            return self.next_question()
        if self.update.files:
            self.say(texts.finish_questions_first())
            return self.ask(question.id)
        if command:
            return self.ask(question.id)
        draft = self.draft()
        if pressed.is_(Press.SKIP, question.id) and not question.required:
            draft["answers"].pop(question.id, None)
            self.keep_draft(draft)
            return self.next_question()
        value: Any = None
        if question.type == "choice" and pressed.is_(Press.ANSWER, question.id):
            value = self.option(question, pressed)
        elif question.type == "multi" and pressed.is_(Press.MULTI, question.id):
            return self.toggle(question, pressed, draft)
        elif question.type == "region" and pressed.kind == Press.REGION_GROUP:
            return self.ask(question.id, group=pressed.arg(0))
        elif question.type == "region" and pressed.kind == Press.REGION:
            value = pressed.arg(0)
        elif question.type in ("text", "textarea", "date") and self.update.text and not pressed:
            value = self.update.text
        if value is None:
            if not pressed:
                self.say(texts.use_buttons())
            return self.ask(question.id)
        error = self.check(question, value)
        if error:
            self.say(error)
            return self.ask(question.id)
        draft["answers"][question.id] = value
        self.keep_draft(draft)
        self.next_question()

    def option(self, question: questionnaire.Question, pressed: callbacks.Pressed) -> str | None:
        try:
            return question.options[int(pressed.arg(1))].value
        except (ValueError, IndexError):
            return None

    def toggle(
        self, question: questionnaire.Question, pressed: callbacks.Pressed, draft: dict[str, Any]
    ) -> None:
        picked: list[str] = draft.get("picked", [])
        if pressed.arg(1) == "done":
            if picked:
                draft["answers"][question.id] = picked
            draft["picked"] = []
            self.keep_draft(draft)
            return self.next_question()
        value = self.option(question, pressed)
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
        """The next question still asked after this one (surge mode may have
        started or ended meanwhile: the order is the full questionnaire's)."""
        every = [q.id for q in questionnaire.asked("telegram")]
        asked_now = {q.id for q in self.questions()}
        after = every.index(self.chat.question) + 1 if self.chat.question in every else len(every)
        following = [qid for qid in every[after:] if qid in asked_now]
        if following:
            return self.ask(following[0])
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
