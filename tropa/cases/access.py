"""Who may see which case. Deny by default: everything else is a 404.

- New requests (status new): coordinators, who hold the intake team key.
- A triaged case: the staff assigned to it and the coordinators of its team.
- Nobody else: not admins, not analysts, not other teams' coordinators.

The database rule here and the cryptographic rule (who holds a sealed copy of
the case key) say the same thing; both are checked.
"""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tropa.accounts.models import Role, Staff
from tropa.cases.models import Assignment, Case, Status


def visible_cases(staff: Staff) -> QuerySet[Case]:
    if not staff.is_active:
        return Case.objects.none()
    assigned = Exists(Assignment.objects.filter(case=OuterRef("pk"), staff=staff))
    if staff.role == Role.TRIAGE:  # new requests, nothing else
        return Case.objects.filter(status=Status.NEW, shredded_at__isnull=True)
    rule = Q(assigned)
    if staff.role == Role.COORDINATOR:
        rule |= Q(status=Status.NEW)
        if staff.team_id is not None:
            rule |= Q(team_id=staff.team_id)
    return Case.objects.filter(rule, shredded_at__isnull=True).exclude(
        status__in=[Status.DELETED, Status.MERGED]
    )


def get_case_for(staff: Staff, case_id: uuid.UUID | str) -> Case:
    case = visible_cases(staff).select_related("keyring", "team").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def get_managed_case_for(staff: Staff, case_id: uuid.UUID | str) -> Case:
    """A case this person may manage (assign, hold, discard), else 404."""
    case = get_case_for(staff, case_id)
    if not can_manage(staff, case):
        raise Http404
    return case


def can_triage(staff: Staff) -> bool:
    return staff.role in (Role.COORDINATOR, Role.TRIAGE) and staff.is_active


def can_manage(staff: Staff, case: Case) -> bool:
    """Assign, transfer, discard, merge: the coordinators of the case's team;
    a triage volunteer only sorts new requests."""
    if staff.role == Role.TRIAGE:
        return case.status == Status.NEW
    if staff.role != Role.COORDINATOR:
        return False
    return case.status == Status.NEW or (case.team_id is not None and case.team_id == staff.team_id)


def may_work_on(staff: Staff, case: Case) -> bool:
    """Change what is planned for a case (its journey, its applications): the
    consultants assigned to it and its team's coordinators."""
    if case.status in (Status.NEW, Status.DISCARDED) or not staff.is_active:
        return False
    return can_manage(staff, case) or case.assignments.filter(staff=staff).exists()
