"""Casework on a triaged case: assignment, replies, notes, status, tasks.

Triage (accept, merge, discard) is in tropa/cases/triage.py. Each action
checks nothing about permission (views do, through tropa.cases.access) but
opens keys only with the acting staff member's own keys, and writes the audit
entry. Case content never enters the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import hooks, queue, search_index, stats, timeline
from tropa.cases.events import CaseEvent, record_event
from tropa.cases.models import (
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Case,
    Kind,
    LastSeen,
    Message,
    Outcome,
    ReplyTemplate,
    Status,
    Task,
)
from tropa.core import clock
from tropa.keyring import actions as keyring
from tropa.notify.models import NotificationKind
from tropa.notify.outbox import tell


class NotAllowed(Exception):
    """The action does not fit the case's state (say, replying to a closed case)."""


class NoKeyYet(NotAllowed):
    """The person has not chosen their own password yet, so has no key to seal to."""


def open_case(case: Case, staff: Staff, staff_keys: vault.KeyPair) -> vault.KeyPair:
    """The case key pair, opened with this staff member's keys (or keyring.NoAccess)."""
    return keyring.open_keyring(case.keyring, staff, staff_keys)


def requester_keys(case: Case) -> list[bytes]:
    return [bytes(k) for k in case.requesters.values_list("public_key", flat=True)]


@dataclass(frozen=True)
class Intake:
    language: str
    answers: dict[str, Any]


def read_intake(case: Case, keys: vault.KeyPair, reader: Staff) -> Intake:
    stored = json.loads(vault.open_from_many(keys, bytes(case.sealed_intake)))
    record(reader, Action.CASE_VIEWED, case_id=case.pk)
    return Intake(stored.get("language", "ru"), stored.get("answers", {}))


@dataclass(frozen=True)
class Entry:
    message: Message
    body: str | None


def read_timeline(case: Case, keys: vault.KeyPair, last: int | None = None) -> list[Entry]:
    """The timeline, oldest first; with `last`, only the most recent entries."""
    messages = case.messages.select_related("author").prefetch_related("attachments")
    if last is not None:
        messages = messages.filter(seq__gt=case.message_count - last)
    entries = []
    for message in messages:
        try:
            body: str | None = vault.open_from_many(keys, bytes(message.sealed_body)).decode()
        except vault.CannotOpen:
            body = None
        entries.append(Entry(message, body))
    return entries


def assign(case: Case, staff: Staff, by: Staff, by_keys: vault.KeyPair) -> Assignment:
    """Put a staff member on a case: the case key is sealed to them."""
    if case.status in (Status.NEW, Status.CLOSED, Status.DISCARDED):
        raise NotAllowed
    if not staff.has_keys:
        raise NoKeyYet
    keys = open_case(case, by, by_keys)
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(
            case=case, staff=staff, defaults={"assigned_by": by}
        )
        keyring.grant_staff(case.keyring, keys, staff)
        if created:
            queue.assigned(assignment)
            if case.status == Status.TRIAGED:
                Case.objects.filter(pk=case.pk).update(status=Status.ACTIVE)
                with stats.counted(case):
                    case.status = Status.ACTIVE
            record_event(case, keys.public_key, CaseEvent.ASSIGNED, by, name=staff.username)
            record(by, Action.CASE_ASSIGNED, case_id=case.pk, target=staff)
    if created:
        tell(staff, NotificationKind.ASSIGNED)
    return assignment


def unassign(case: Case, staff: Staff, by: Staff, by_keys: vault.KeyPair) -> bool:
    """Take a staff member off a case: their sealed copy of the case key is deleted.

    Team coordinators keep theirs (they are not assignments).
    """
    keys = open_case(case, by, by_keys)
    with transaction.atomic():
        deleted, _ = Assignment.objects.filter(case=case, staff=staff).delete()
        if not deleted:
            return False
        queue.unassigned(case, staff)
        is_team_coordinator = staff.role == Role.COORDINATOR and staff.team_id == case.team_id
        if not is_team_coordinator:
            keyring.revoke_staff(case.keyring, staff)
        record_event(case, keys.public_key, CaseEvent.UNASSIGNED, by, name=staff.username)
        record(by, Action.CASE_UNASSIGNED, case_id=case.pk, target=staff)
    return True


def transfer(case: Case, old: Staff, new: Staff, by: Staff, by_keys: vault.KeyPair) -> None:
    with transaction.atomic():
        assign(case, new, by, by_keys)
        unassign(case, old, by, by_keys)


def reply(
    case: Case,
    author: Staff,
    author_keys: vault.KeyPair,
    text: str,
    attach: Callable[[Message], list[Attachment]] | None = None,
) -> Message:
    """A reply the requester reads in the portal (or gets by Telegram): sealed to them
    and to the case."""
    if case.status in (Status.CLOSED, Status.DISCARDED, Status.NEW):
        raise NotAllowed
    keys = open_case(case, author, author_keys)
    sealed = vault.seal_to_many(text.encode(), [keys.public_key, *requester_keys(case)])
    with transaction.atomic():
        message = timeline.append(case, Kind.REPLY, sealed, author)
        search_index.delta(case, keys.public_key, f"m{message.seq}", text)
        attachments = attach(message) if attach is not None else []
        for hook in hooks.AFTER_REPLY:
            hook(case, keys, message, text, attachments)
        record(author, Action.REPLY_SENT, case_id=case.pk)
    return message


def note(case: Case, author: Staff, author_keys: vault.KeyPair, text: str) -> Message:
    """An internal note: sealed to the case key only, never shown to the requester."""
    keys = open_case(case, author, author_keys)
    with transaction.atomic():
        message = timeline.append(
            case, Kind.NOTE, vault.seal_to_many(text.encode(), [keys.public_key]), author
        )
        search_index.delta(case, keys.public_key, f"m{message.seq}", text)
        record(author, Action.NOTE_ADDED, case_id=case.pk)
    return message


def set_status(
    case: Case, status: str, by: Staff, by_keys: vault.KeyPair, outcome: str = ""
) -> Case:
    if status == Status.CLOSED and outcome not in Outcome.values:
        raise NotAllowed
    if status not in (Status.ACTIVE, Status.IN_TRANSIT, Status.SAFE, Status.CLOSED):
        raise NotAllowed
    if case.status in (Status.NEW, Status.DISCARDED, Status.MERGED, Status.DELETED):
        raise NotAllowed
    keys = open_case(case, by, by_keys)
    with transaction.atomic():
        previous = case.status
        with stats.counted(case):
            case.status = status
            case.outcome = outcome if status == Status.CLOSED else ""
            case.closed_at = clock.now() if status == Status.CLOSED else None
        case.updated_at = clock.now()
        case.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
        queue.status_changed(case, status in OPEN_STATUSES)
        record_event(case, keys.public_key, CaseEvent.STATUS_CHANGED, by, old=previous, new=status)
        record(by, Action.STATUS_CHANGED, case_id=case.pk)
    return case


def follow_journey(case: Case, status: str, by: Staff) -> None:
    """The status a journey sets by itself: "in transit" while a leg is under
    way, "active" again after. Runs inside the journey action's transaction."""
    previous = case.status
    with stats.counted(case):
        case.status = status
    case.updated_at = clock.now()
    case.save(update_fields=["status", "updated_at"])
    record_event(case, case.public_key, CaseEvent.STATUS_CHANGED, by, old=previous, new=status)
    record(by, Action.STATUS_CHANGED, case_id=case.pk)


def mark_read(case: Case, staff: Staff) -> None:
    """`staff` has seen the case's timeline as it is now: nothing on it is unread.
    (Opening the case is audited by read_intake; this is its bookkeeping.)"""
    # Written only when there is something new to mark: a repeat view of an
    # unchanged case costs one read, not a write and its fsync.
    seen = LastSeen.objects.filter(staff=staff, case=case).values_list("seq", flat=True).first()
    if seen is not None and seen >= case.message_count:
        return
    with transaction.atomic():
        LastSeen.objects.bulk_create(
            [LastSeen(staff=staff, case=case, seq=case.message_count)],
            update_conflicts=True,
            unique_fields=["staff", "case"],
            update_fields=["seq"],
        )
        queue.read(case, staff, case.message_count)


def reveal(case: Case, reader: Staff) -> None:
    """Record that someone looked at a name or contact handle."""
    record(reader, Action.DETAILS_REVEALED, case_id=case.pk)


def add_task(
    case: Case,
    owner: Staff,
    by: Staff,
    by_keys: vault.KeyPair,
    title: str,
    due_at: datetime | None,
    kind: str = "",
) -> Task:
    keys = open_case(case, by, by_keys)
    with transaction.atomic():
        task = Task.objects.create(
            case=case,
            owner=owner,
            kind=kind,
            sealed_title=vault.seal_to_many(title.encode(), [keys.public_key]),
            due_at=due_at,
        )
        search_index.delta(case, keys.public_key, f"t{task.pk}", title)
        record(by, Action.TASK_ADDED, case_id=case.pk, target=owner)
    return task


def complete_task(task: Task, by: Staff) -> None:
    with transaction.atomic():
        if Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=clock.now()):
            record(by, Action.TASK_DONE, case_id=task.case_id)


def move_task(
    task: Task, by: Staff, by_keys: vault.KeyPair, title: str, due_at: datetime | None
) -> None:
    """A task's date moved: its reminder is due again at the new time."""
    keys = open_case(task.case, by, by_keys)
    with transaction.atomic():
        task.sealed_title = vault.seal_to_many(title.encode(), [keys.public_key])
        task.due_at = due_at
        task.due_notified_at = None
        task.save(update_fields=["sealed_title", "due_at", "due_notified_at"])
        search_index.delta(task.case, keys.public_key, f"t{task.pk}", title)
        record(by, Action.TASK_MOVED, case_id=task.case_id)


def cancel_task(task: Task, by: Staff) -> None:
    """A task no longer needed (its date was cleared): gone, reminder and all."""
    with transaction.atomic():
        if Task.objects.filter(pk=task.pk).delete()[0]:
            record(by, Action.TASK_MOVED, case_id=task.case_id)


def notify_due_tasks() -> int:
    """Watcher job: tell each owner once that a task is due (claimed by a
    conditional UPDATE, so several watchers never send it twice)."""
    sent = 0
    due = Task.objects.filter(
        done_at__isnull=True, due_at__lte=clock.now(), due_notified_at__isnull=True
    ).select_related("owner")[:200]
    for task in due:
        claimed = Task.objects.filter(pk=task.pk, due_notified_at__isnull=True).update(
            due_notified_at=clock.now()
        )
        if claimed:
            tell(task.owner, NotificationKind.TASK_DUE)
            sent += 1
    return sent


def notify_new_message(case: Case) -> None:
    """A requester wrote: tell the staff assigned to the case (nothing more)."""
    for assignment in case.assignments.select_related("staff"):
        tell(assignment.staff, NotificationKind.MESSAGE)


def save_template(template: ReplyTemplate, *, actor: Staff) -> ReplyTemplate:
    """Create or change a reply template (generic advice, not case data)."""
    with transaction.atomic():
        template.updated_at = clock.now()
        template.full_clean()
        template.save()
        record(actor, Action.TEMPLATE_CHANGED)
    return template


def delete_template(template: ReplyTemplate, *, actor: Staff) -> None:
    with transaction.atomic():
        template.delete()
        record(actor, Action.TEMPLATE_CHANGED)
