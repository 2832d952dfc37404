"""Each person's queue, kept in step with the cases: the bookkeeping behind
"waiting for our answer", "unread" and "nobody on it".

The truth is on the case (waiting_since, message_count) and in LastSeen; the
copies here (Assignment.waiting_since, Assignment.unread_since, Case.staff_count, Caseload)
exist so that the staff home counts a few index entries per person instead of
joining every case they hold. Each function runs inside the transaction of the
write that calls it (tropa/cases/timeline.py, tropa/cases/actions.py,
tropa/intake/actions.py), so a copy never outlives a rolled-back change.
Plaintext metadata only, as the columns they copy.
"""

from __future__ import annotations

from django.db.models import Q

from tropa.cases.models import Assignment, Case, Caseload, Kind, LastSeen
from tropa.core import clock


def entry_added(case: Case, kind: str, author: object = None) -> None:
    """A timeline entry was appended: a requester's message starts the wait on
    every assignment, a reply ends it, and anything is new to everyone on the
    case but its author."""
    now = clock.to_minute(clock.now())
    on_case = Assignment.objects.filter(case_id=case.pk)
    if kind == Kind.FROM_REQUESTER:
        on_case.filter(waiting_since__isnull=True).update(waiting_since=now)
    elif kind == Kind.REPLY:
        on_case.exclude(waiting_since=None).update(waiting_since=None)
    others = on_case.filter(unread_since__isnull=True)
    if author is not None:
        others = others.exclude(staff_id=getattr(author, "pk", None))
    others.update(unread_since=now)


def read(case: Case, staff: object, seq: int) -> None:
    """`staff` has read the case up to entry `seq`: nothing is unread unless an
    entry came in after the page they read was drawn."""
    Assignment.objects.filter(
        case_id=case.pk, staff_id=getattr(staff, "pk", None), case__message_count__lte=seq
    ).exclude(unread_since=None).update(unread_since=None)


def assigned(assignment: Assignment) -> None:
    """A new assignment starts with the case's wait and what this person has
    not read yet; the case has someone on it."""
    case = Case.objects.only("waiting_since", "message_count", "updated_at").get(
        pk=assignment.case_id
    )
    seen = (
        LastSeen.objects.filter(staff_id=assignment.staff_id, case_id=case.pk)
        .values_list("seq", flat=True)
        .first()
    ) or 0
    assignment.waiting_since = case.waiting_since
    assignment.unread_since = (
        clock.to_minute(case.updated_at) if seen < case.message_count else None
    )
    assignment.save(update_fields=["waiting_since", "unread_since"])
    update_staff_count(case)
    recount([assignment.staff_id])


def unassigned(case: Case, staff: object) -> None:
    """`staff` left the case."""
    update_staff_count(case)
    recount([getattr(staff, "pk", None)])


def update_staff_count(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(
        staff_count=Assignment.objects.filter(case_id=case.pk).count()
    )


def status_changed(case: Case, is_open: bool) -> None:
    """The case opened or closed: so do the assignments' queues."""
    changed = Assignment.objects.filter(case_id=case.pk).filter(~Q(is_open=is_open))
    people = list(changed.values_list("staff_id", flat=True))
    changed.update(is_open=is_open)
    recount(people)


def withdrawn(case: Case) -> None:
    """The person deleted their case: nothing on it waits for anyone."""
    on_case = Assignment.objects.filter(case_id=case.pk)
    people = list(on_case.values_list("staff_id", flat=True))
    on_case.update(is_open=False, waiting_since=None, unread_since=None)
    recount(people)


def recount(people: list[object]) -> None:
    """Count again the open cases of these staff members."""
    for staff_id in set(people):
        n = Assignment.objects.filter(staff_id=staff_id, is_open=True).count()
        Caseload.objects.bulk_create(
            [Caseload(staff_id=staff_id, open_cases=n)],
            update_conflicts=True,
            unique_fields=["staff"],
            update_fields=["open_cases"],
        )
