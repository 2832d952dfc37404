"""A coordinator's actions on many cases at once: each case checked and
audited on its own, exactly as the one-case action would; a case that cannot
take it (closed, not theirs, already so) is skipped and counted out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.cases import actions, labels
from tropa.cases.access import can_manage, visible_cases
from tropa.cases.models import Case
from tropa.keyring.actions import NoAccess

MAX_BULK = 200


@dataclass(frozen=True)
class Done:
    done: int = 0
    refused: bool = False  # the consultant or label itself was not a valid choice


def consultants_for(staff: Staff) -> QuerySet[Staff]:
    return Staff.objects.filter(
        role=Role.CONSULTANT, is_active=True, team_id=staff.team_id
    ).order_by("username")


def _cases(staff: Staff, ids: list[str]) -> list[Case]:
    valid = []
    for raw in ids:
        try:
            valid.append(str(uuid.UUID(raw)))
        except ValueError:
            continue
    cases = visible_cases(staff).filter(pk__in=valid).select_related("keyring", "team")
    return [case for case in cases if can_manage(staff, case)]


def assign(staff: Staff, staff_keys: vault.KeyPair, ids: list[str], consultant_id: str) -> Done:
    consultant = consultants_for(staff).filter(pk=consultant_id).first() if consultant_id else None
    if consultant is None:
        return Done(refused=True)
    done = 0
    for case in _cases(staff, ids):
        if case.assignments.filter(staff=consultant, is_open=True).exists():
            continue
        try:
            actions.assign(case, consultant, staff, staff_keys)
        except (actions.NotAllowed, NoAccess):
            continue
        done += 1
    return Done(done)


def label(staff: Staff, ids: list[str], label_id: str) -> Done:
    if not label_id.isdigit() or not labels.available(staff).filter(pk=int(label_id)).exists():
        return Done(refused=True)
    done = sum(labels.add(case, int(label_id), staff) for case in _cases(staff, ids))
    return Done(done)
