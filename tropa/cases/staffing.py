"""Staff and their cases: moving a person between teams, sharing keys again.

These actions sit in cases, not accounts, because they decide which case keys
a person should hold, and that depends on teams, cases and assignments.

Need-to-know after a team change: a person keeps a sealed copy of a case key
only while they are assigned to that case, or (a coordinator) while the case
belongs to their team. Every other copy is deleted in the same transaction as
the change, so an account moved out of team A opens none of A's cases, even
from a seized database with its password.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from tropa import vault
from tropa.accounts.keys import needs_intake_grant
from tropa.accounts.models import Role, Staff, Team
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import queue
from tropa.cases.actions import open_case
from tropa.cases.events import CaseEvent, record_event
from tropa.cases.models import Assignment, Case, Status
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, RecipientKind


def change_team(staff: Staff, team: Team, *, actor: Staff, keep_assignments: bool = False) -> int:
    """Move `staff` to `team`, revoking every case key copy they no longer need.

    Assignments on cases of the old team end, unless `keep_assignments` says
    the person stays on them (an explicit choice: they keep those cases and
    their keys). Returns how many copies were deleted.
    """
    old_team_id = staff.team_id
    with transaction.atomic():
        Staff.objects.filter(pk=staff.pk).update(team=team)
        staff.team = team
        if old_team_id is not None and old_team_id != team.pk:
            Team.objects.filter(pk=old_team_id, duty_coordinator=staff).update(
                duty_coordinator=None
            )
            if not keep_assignments:
                _end_assignments(staff, old_team_id, actor)
        revoked = revoke_unneeded(staff)
        record(actor, Action.TEAM_CHANGED, target=staff)
    return revoked


def _end_assignments(staff: Staff, team_id: object, actor: Staff) -> None:
    end_assignments(Assignment.objects.filter(staff=staff, case__team_id=team_id), staff, actor)


def end_assignments(chosen: QuerySet[Assignment], staff: Staff, actor: Staff) -> list[Case]:
    """Take `staff` off the cases of these assignments; return those cases."""
    ended = chosen.select_related("case__keyring")
    cases = []
    for assignment in list(ended):
        case = assignment.case
        assignment.delete()
        queue.unassigned(case, staff)  # the case's count of staff, the person's caseload
        # Sealed to the case's public key: no one needs to open the case to say it.
        record_event(case, case.public_key, CaseEvent.UNASSIGNED, actor, name=staff.username)
        record(actor, Action.CASE_UNASSIGNED, case_id=case.pk, target=staff)
        cases.append(case)
    return cases


def revoke_unneeded(staff: Staff) -> int:
    """Delete the person's case key copies that need-to-know no longer allows."""
    keep = set(Case.objects.filter(assignments__staff=staff).values_list("keyring_id", flat=True))
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        keep |= set(Case.objects.filter(team_id=staff.team_id).values_list("keyring_id", flat=True))
    copies = Envelope.objects.filter(
        recipient_kind=RecipientKind.STAFF, staff=staff, keyring__case__isnull=False
    ).exclude(keyring_id__in=keep)
    deleted, _ = copies.delete()
    return deleted


def regrant_access(staff: Staff, granter: Staff, granter_keys: vault.KeyPair) -> int:
    """Share again what `staff` lost (after a reset) or lacks (a new coordinator)."""
    with transaction.atomic():
        count = keyring.regrant(staff, granter, granter_keys, with_intake=needs_intake_grant(staff))
        count += share_team_cases(staff, granter, granter_keys)
        if count:
            record(granter, Action.ACCESS_REGRANTED, target=staff)
    return count


def share_team_cases(staff: Staff, granter: Staff, granter_keys: vault.KeyPair) -> int:
    """A coordinator new to a team gets the keys of its open cases that `granter`
    can open (what need-to-know allows them to see anyway)."""
    if staff.role != Role.COORDINATOR or staff.team_id is None or not staff.has_keys:
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
