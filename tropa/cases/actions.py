"""Every change to a case: triage, assignment, replies, notes, status, tasks.

Each action checks nothing about permission (views do, through
tropa.cases.access) but opens keys only with the acting staff member's own
keys, and writes the audit entry. Case content never enters the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import aliases, hooks, timeline
from tropa.cases.models import (
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Case,
    Kind,
    Message,
    Outcome,
    Status,
    Task,
    Team,
)
from tropa.core import clock
from tropa.keyring import actions as keyring


class NotAllowed(Exception):
    """The action does not fit the case's state (say, replying to a closed case)."""


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


def _event(case: Case, keys_public: bytes, text: str, actor: Staff | None) -> Message:
    """A plain event on the timeline (assigned, status changed), sealed like a note."""
    return timeline.append(
        case, Kind.EVENT, vault.seal_to_many(text.encode(), [keys_public]), actor
    )


def default_team() -> Team:
    from tropa.accounts.actions import DEFAULT_TEAM

    team, _created = Team.objects.get_or_create(name=DEFAULT_TEAM)
    return team


def accept(case: Case, coordinator: Staff, coordinator_keys: vault.KeyPair) -> Case:
    """Triage a new request into a case of the coordinator's team."""
    if case.status != Status.NEW:
        raise NotAllowed
    keys = open_case(case, coordinator, coordinator_keys)
    team = coordinator.team or default_team()
    with transaction.atomic():
        triaged = {
            "status": Status.TRIAGED,
            "team": team,
            "alias": aliases.new_alias(),
            "triaged_at": clock.now(),
            "updated_at": clock.now(),
        }
        # A conditional UPDATE claims the request: of two coordinators accepting,
        # discarding or merging it at once, only one wins.
        if not Case.objects.filter(pk=case.pk, status=Status.NEW).update(**triaged):
            raise NotAllowed
        for name, value in triaged.items():
            setattr(case, name, value)
        for member in Staff.objects.filter(team=team, role=Role.COORDINATOR, is_active=True):
            keyring.grant_staff(case.keyring, keys, member)
        keyring.release_from_intake(case.keyring)
        _event(case, keys.public_key, "accepted", coordinator)
        record(coordinator, Action.CASE_ACCEPTED, case_id=case.pk)
    return case


def discard(cases: list[Case], coordinator: Staff) -> int:
    """Mark new requests as junk. They can be restored until the undo window ends;
    then the watcher crypto-shreds them (tropa.cases.jobs)."""
    count = 0
    with transaction.atomic():
        for case in cases:
            updated = Case.objects.filter(pk=case.pk, status=Status.NEW).update(
                status=Status.DISCARDED, discarded_at=clock.now(), updated_at=clock.now()
            )
            if updated:
                record(coordinator, Action.CASE_DISCARDED, case_id=case.pk)
                count += 1
    return count


def undo_discard(case: Case, coordinator: Staff) -> bool:
    limit = clock.now() - timedelta(minutes=settings.TROPA_DISCARD_UNDO_MINUTES)
    with transaction.atomic():
        restored = Case.objects.filter(
            pk=case.pk, status=Status.DISCARDED, discarded_at__gte=limit
        ).update(status=Status.NEW, discarded_at=None, updated_at=clock.now())
        if restored:
            record(coordinator, Action.CASE_RESTORED, case_id=case.pk)
    return bool(restored)


def shred_discarded() -> int:
    """Watcher job: crypto-shred discarded requests whose undo window has passed."""
    limit = clock.now() - timedelta(minutes=settings.TROPA_DISCARD_UNDO_MINUTES)
    count = 0
    for case_id in list(
        Case.objects.filter(status=Status.DISCARDED, discarded_at__lt=limit)
        .exclude(keyring__shredded_at__isnull=False)
        .values_list("pk", flat=True)[:500]
    ):
        with transaction.atomic():
            case = Case.objects.select_related("keyring").get(pk=case_id)
            case.messages.all().delete()
            case.attachments.all().delete()
            case.requesters.all().delete()
            Case.objects.filter(pk=case.pk).update(sealed_intake=b"")
            keyring.crypto_shred(case.keyring)
            count += 1
    return count


def merge(source: Case, target: Case, coordinator: Staff, coordinator_keys: vault.KeyPair) -> Case:
    """Fold a new request into an existing case of the same person.

    The request's answers and messages are sealed again to the target case;
    its codename then opens the target case; the request's own key is shredded.
    """
    if source.status != Status.NEW or source.pk == target.pk:
        raise NotAllowed
    source_keys = open_case(source, coordinator, coordinator_keys)
    target_keys = open_case(target, coordinator, coordinator_keys)
    with transaction.atomic():
        # Claimed first, as in accept: a request is merged, accepted or discarded once.
        claimed = Case.objects.filter(pk=source.pk, status=Status.NEW).update(
            status=Status.MERGED, merged_into=target, updated_at=clock.now()
        )
        if not claimed:
            raise NotAllowed
        source.requesters.update(case=target)
        for hook in hooks.AFTER_MERGE:
            hook(source, source_keys, target, target_keys)
        recipients = [target_keys.public_key, *requester_keys(target)]
        intake = vault.open_from_many(source_keys, bytes(source.sealed_intake))
        timeline.append(
            target,
            Kind.EVENT,
            vault.seal_to_many(b"merged:" + intake, [target_keys.public_key]),
            coordinator,
        )
        for message in source.messages.all():
            body = vault.open_from_many(source_keys, bytes(message.sealed_body))
            moved = timeline.append(
                target, message.kind, vault.seal_to_many(body, recipients), message.author
            )
            for attachment in message.attachments.all():
                file_key = vault.open_from_many(source_keys, bytes(attachment.sealed_file_key))
                meta = vault.open_from_many(source_keys, bytes(attachment.sealed_meta))
                attachment.case = target
                attachment.message = moved
                attachment.sealed_file_key = vault.seal_to_many(file_key, recipients)
                attachment.sealed_meta = vault.seal_to_many(meta, recipients)
                attachment.save()
        source.messages.all().delete()
        Case.objects.filter(pk=source.pk).update(
            status=Status.MERGED, merged_into=target, sealed_intake=b"", updated_at=clock.now()
        )
        keyring.crypto_shred(source.keyring)
        record(coordinator, Action.CASE_MERGED, case_id=target.pk)
    return target


def assign(case: Case, staff: Staff, by: Staff, by_keys: vault.KeyPair) -> Assignment:
    """Put a staff member on a case: the case key is sealed to them."""
    if case.status in (Status.NEW, Status.CLOSED, Status.DISCARDED):
        raise NotAllowed
    keys = open_case(case, by, by_keys)
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(
            case=case, staff=staff, defaults={"assigned_by": by}
        )
        keyring.grant_staff(case.keyring, keys, staff)
        if created:
            if case.status == Status.TRIAGED:
                Case.objects.filter(pk=case.pk).update(status=Status.ACTIVE)
                case.status = Status.ACTIVE
            _event(case, keys.public_key, f"assigned:{staff.username}", by)
            record(by, Action.CASE_ASSIGNED, case_id=case.pk, target=staff)
    if created:
        from tropa.cases.notify import notify

        notify(staff, "assigned")
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
        is_team_coordinator = staff.role == Role.COORDINATOR and staff.team_id == case.team_id
        if not is_team_coordinator:
            keyring.revoke_staff(case.keyring, staff)
        _event(case, keys.public_key, f"unassigned:{staff.username}", by)
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
        case.status = status
        case.outcome = outcome if status == Status.CLOSED else ""
        case.closed_at = clock.now() if status == Status.CLOSED else None
        case.updated_at = clock.now()
        case.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
        case.assignments.update(is_open=status in OPEN_STATUSES)
        _event(case, keys.public_key, f"status:{previous}>{status}", by)
        record(by, Action.STATUS_CHANGED, case_id=case.pk)
    return case


def reveal(case: Case, reader: Staff, question_id: str) -> None:
    """Record that someone looked at a name or contact handle."""
    record(reader, Action.DETAILS_REVEALED, case_id=case.pk)


def add_task(
    case: Case, owner: Staff, by: Staff, by_keys: vault.KeyPair, title: str, due_at: datetime | None
) -> Task:
    keys = open_case(case, by, by_keys)
    with transaction.atomic():
        task = Task.objects.create(
            case=case,
            owner=owner,
            sealed_title=vault.seal_to_many(title.encode(), [keys.public_key]),
            due_at=due_at,
        )
        record(by, Action.TASK_ADDED, case_id=case.pk, target=owner)
    return task


def complete_task(task: Task, by: Staff) -> None:
    with transaction.atomic():
        if Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=clock.now()):
            record(by, Action.TASK_DONE, case_id=task.case_id)


def notify_due_tasks() -> int:
    """Watcher job: tell each owner once that a task is due (claimed by a
    conditional UPDATE, so several watchers never send it twice)."""
    from tropa.cases.notify import notify

    sent = 0
    due = Task.objects.filter(
        done_at__isnull=True, due_at__lte=clock.now(), due_notified_at__isnull=True
    ).select_related("owner")[:200]
    for task in due:
        claimed = Task.objects.filter(pk=task.pk, due_notified_at__isnull=True).update(
            due_notified_at=clock.now()
        )
        if claimed:
            notify(task.owner, "task_due")
            sent += 1
    return sent


def notify_new_message(case: Case) -> None:
    """A requester wrote: tell the staff assigned to the case (nothing more)."""
    from tropa.cases.notify import notify

    for assignment in case.assignments.select_related("staff"):
        notify(assignment.staff, "message")


def share_team_cases(staff: Staff, granter: Staff, granter_keys: vault.KeyPair) -> int:
    """A coordinator new to a team gets the keys of its open cases that `granter`
    can open (what need-to-know allows them to see anyway)."""
    if staff.role != Role.COORDINATOR or staff.team_id is None:
        return 0
    count = 0
    cases = (
        Case.objects.filter(team_id=staff.team_id)
        .exclude(status__in=[Status.DELETED, Status.MERGED, Status.DISCARDED])
        .select_related("keyring")
    )
    for case in cases:
        if keyring.can_open(case.keyring, staff):
            continue
        try:
            keys = open_case(case, granter, granter_keys)
        except keyring.NoAccess:
            continue
        keyring.grant_staff(case.keyring, keys, staff)
        count += 1
    return count


def caseloads(staff: list[Staff]) -> dict[Any, int]:
    """Open cases of each of these staff members, for choosing whom to assign."""
    from django.db.models import Count

    rows = (
        Assignment.objects.filter(staff__in=staff, is_open=True)
        .values("staff_id")
        .annotate(n=Count("id"))
    )
    return {row["staff_id"]: row["n"] for row in rows}
