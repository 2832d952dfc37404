"""A coordinator finds a case by the codename a requester reads out on the phone.

Through the same keyed lookup the portal uses (the codename itself is never
stored); the case must be one the coordinator can see; every lookup, found or
not, is audited.
"""

from __future__ import annotations

from tropa.accounts.models import Role, Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases.access import visible_cases
from tropa.cases.models import Case
from tropa.intake.actions import find_requester


def case_by_codename(staff: Staff, codename: str) -> Case | None:
    if staff.role != Role.COORDINATOR or not staff.is_active:
        return None
    found = find_requester(codename) if codename.strip() else None
    case = None
    if found is not None:
        case = visible_cases(staff).filter(pk=found[0].case_id).first()
    record(staff, Action.FOUND_BY_CODENAME, case_id=case.pk if case else None)
    return case
