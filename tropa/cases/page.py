"""What the case page shows, decrypted for the viewer: answers, timeline, tasks.

Nothing here writes; tropa/cases/case_page.py renders what these functions return.
Higher apps add their own sections of the page through SECTIONS.
Answers to sensitive questions (a name, a contact handle) are left out unless
the viewer has just asked to reveal that one question (audited by the view).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import get_language

from tropa import vault
from tropa.accounts.models import Staff
from tropa.cases import events, files, hooks, questionnaire
from tropa.cases.actions import Entry
from tropa.cases.models import Case, Kind, Task
from tropa.core.registry import Registry

# (case, its opened key pair, the viewer) -> more context for the case page.
# The journeys app adds the journey (tropa/journeys/wiring.py).
SECTIONS: Registry[Callable[[Case, vault.KeyPair, Staff], dict[str, Any]]] = Registry(
    "case page sections"
)


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


def timeline(entries: list[Entry], case_keys: vault.KeyPair, revealed: str | None) -> list[Row]:
    rows = []
    for entry in entries:
        row = Row(kind=entry.message.kind, entry=entry, text=entry.body)
        if entry.message.kind == Kind.EVENT and entry.body is not None:
            shown = events.describe(entry.body)
            row.text = shown.text
            if shown.answers is not None:
                row.merged = answers(shown.answers, revealed)
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
