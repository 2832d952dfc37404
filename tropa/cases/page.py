"""What the case page shows, decrypted for the viewer: answers, timeline, tasks.

Nothing here writes; tropa/cases/views.py renders what these functions return.
Answers to sensitive questions (a name, a contact handle) are left out unless
the viewer has just asked to reveal that one question (audited by the view).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tropa import vault
from tropa.cases import files, hooks
from tropa.cases.actions import Entry
from tropa.cases.models import Case, Kind, Status, Task
from tropa.intake import questionnaire


def language() -> str:
    current = (get_language() or "ru")[:2]
    return current if current in ("ru", "en") else "ru"


@dataclass
class Answer:
    id: str
    label: str
    value: str = ""
    hidden: bool = False
    long: bool = False


def revealable(question_id: str) -> bool:
    """Sensitive questions, and answers to questions no longer asked (unknown: treated alike)."""
    if not question_id.isidentifier():
        return False
    question = questionnaire.load().question(question_id)
    return question is None or question.sensitive


def _format(question: questionnaire.Question, value: Any, lang: str) -> str:
    q = questionnaire.load()
    options = {o.value: o.label[lang] for o in question.options}
    if question.type == "choice":
        return options.get(str(value), str(value))
    if question.type == "multi":
        values = value if isinstance(value, list) else [value]
        return ", ".join(options.get(str(v), str(v)) for v in values)
    if question.type == "region":
        region = q.region(str(value))
        return region.label[lang] if region else str(value)
    if question.type == "date":
        try:
            return date_format(date.fromisoformat(str(value)), "j E Y")
        except ValueError:
            return str(value)
    return str(value)


def answers(stored: dict[str, Any], revealed: str | None) -> list[Answer]:
    """The intake answers with the questionnaire's labels, in the viewer's language."""
    lang = language()
    q = questionnaire.load()
    rows = []
    for question in q.questions:
        value = stored.get(question.id)
        if value in (None, "", []):
            continue
        row = Answer(question.id, question.label[lang], long=question.type == "textarea")
        if question.sensitive and question.id != revealed:
            row.hidden = True
        else:
            row.value = _format(question, value, lang)
        rows.append(row)
    for question_id, value in stored.items():
        if q.question(question_id) is None and value not in (None, "", []):
            shown = question_id == revealed
            rows.append(Answer(question_id, question_id, str(value) if shown else "", not shown))
    return rows


@dataclass
class Row:
    """One timeline entry as the page shows it."""

    kind: str
    entry: Entry
    text: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    merged: list[Answer] | None = None
    # How a channel delivered a reply ("delivered by Telegram"), if one carries it.
    delivery: str = ""


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def event_text(body: str) -> tuple[str, list[Answer] | None]:
    """Events are stored as short codes (see actions._event); say them in words."""
    name, _sep, rest = body.partition(":")
    if body == "accepted":
        return _("The request was accepted as a case."), None
    if name == "assigned":
        return _("%(name)s was put on the case.") % {"name": rest}, None
    if name == "unassigned":
        return _("%(name)s was taken off the case.") % {"name": rest}, None
    if name == "status" and ">" in rest:
        old, new = rest.split(">", 1)
        return _("Status changed from “%(old)s” to “%(new)s”.") % {
            "old": _status_label(old),
            "new": _status_label(new),
        }, None
    if name == "merged":
        return _("A new request from the same person was merged into this case."), []
    if name == "telegram_undelivered":
        seq, _sep, code = rest.partition(":")
        reasons = {
            "blocked": _("the person blocked the bot or deleted the chat"),
            "not_found": _("the chat no longer exists"),
        }
        reason = reasons.get(code, _("Telegram did not take it for days"))
        return _(
            "Telegram could not deliver reply no. %(seq)s: %(reason)s. "
            "Reach the person another way if you can."
        ) % {"seq": seq, "reason": reason}, None
    return body, None


def timeline(entries: list[Entry], case_keys: vault.KeyPair, revealed: str | None) -> list[Row]:
    rows = []
    for entry in entries:
        row = Row(kind=entry.message.kind, entry=entry, text=entry.body)
        if entry.message.kind == Kind.EVENT and entry.body is not None:
            row.text, row.merged = event_text(entry.body)
            if row.merged is not None:
                try:
                    stored = json.loads(entry.body.partition(":")[2])
                    row.merged = answers(stored.get("answers", {}), revealed)
                except ValueError:
                    row.merged = []
        for attachment in entry.message.attachments.all():
            meta = files.file_meta(attachment, case_keys)
            if meta is not None:
                row.files.append(meta)
        rows.append(row)
    messages = [row.entry.message for row in rows]
    for describe in hooks.DELIVERY:
        for row, said in zip(rows, describe(messages), strict=True):
            row.delivery = row.delivery or said
    return rows


@dataclass
class TaskRow:
    task: Task
    title: str | None
    overdue: bool


def tasks(case: Case, case_keys: vault.KeyPair) -> list[TaskRow]:
    """Open tasks first, soonest due first; then the done ones."""
    rows = []
    for task in case.tasks.select_related("owner"):
        try:
            title: str | None = vault.open_from_many(case_keys, bytes(task.sealed_title)).decode()
        except vault.CannotOpen:
            title = None
        rows.append(TaskRow(task, title, task.overdue))

    def order(row: TaskRow) -> tuple[bool, bool, Any, Any]:
        task = row.task
        due = task.due_at.timestamp() if task.due_at else float("inf")
        return (task.done_at is not None, task.due_at is None, due, task.created_at)

    return sorted(rows, key=order)
