"""A colleague in danger: detained, made to unlock a phone, or a device lost.

`mark_in_danger` does everything in one transaction, so that there is no
moment when the account is disabled but still holds keys: the account is
disabled and its sessions (and the keys they hold) end; every sealed key copy
addressed to the person is deleted (case keys, the intake key, the directory
and release keys), so their password opens nothing even on a seized copy of
the database made afterwards; they come off their cases, which then show as
unassigned on the team's home page; the team's coordinators are alerted
(urgent, content-free); it is audited. The directory key rotates the next time
someone opens the directory (tropa/assistance/directory.py).

Cases nobody else can open now are restored with the recovery key in one
command, to a coordinator of the team (`tropa recover NAME --orphans`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from tropa import vault
from tropa.accounts.actions import end_sessions
from tropa.accounts.models import Role, Staff, Team
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import staffing
from tropa.cases.models import OPEN_STATUSES, Assignment, Case, Status
from tropa.core import clock
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, RecipientKind
from tropa.notify.models import NotificationKind
from tropa.notify.outbox import queue


class Refused(ValueError):
    """Not a person this colleague may mark (themselves, or out of their reach)."""


@dataclass(frozen=True)
class Marked:
    copies_deleted: int
    cases: list[Case]  # the open cases they came off
    orphans: int  # of those, how many no active colleague can open now


def may_mark(actor: Staff, staff: Staff) -> bool:
    """Admins anyone; coordinators the members of their own team. Never oneself."""
    if actor.pk == staff.pk or not actor.is_active:
        return False
    if actor.role == Role.ADMIN:
        return True
    same_team = actor.team_id is not None and staff.team_id == actor.team_id
    return actor.role == Role.COORDINATOR and same_team


def mark_in_danger(staff: Staff, *, actor: Staff) -> Marked:
    if not may_mark(actor, staff):
        raise Refused
    return _mark(staff, actor)


def on_duress(staff: Staff) -> None:
    """The person signed in with their duress password (tropa/accounts/duress.py):
    the same as a colleague pressing the button, with nobody as the actor."""
    _mark(staff, None)


def _mark(staff: Staff, actor: Staff | None) -> Marked:
    with transaction.atomic():
        Staff.objects.filter(pk=staff.pk).update(is_active=False, in_danger_at=clock.now())
        staff.is_active = False
        end_sessions(staff)
        copies, _rows = Envelope.objects.filter(
            recipient_kind=RecipientKind.STAFF, staff=staff
        ).delete()
        Team.objects.filter(duty_coordinator=staff).update(duty_coordinator=None)
        open_ones = Assignment.objects.filter(staff=staff, case__status__in=OPEN_STATUSES)
        cases = staffing.end_assignments(open_ones, staff, actor)
        colleagues = Staff.objects.filter(
            role=Role.COORDINATOR, team_id=staff.team_id, is_active=True
        ).exclude(pk=staff.pk)
        queue(list(colleagues), NotificationKind.COLLEAGUE_IN_DANGER, always_email=True)
        record(actor, Action.STAFF_IN_DANGER, target=staff)
        orphans = orphaned(Case.objects.filter(pk__in=[c.pk for c in cases])).count()
    return Marked(copies, cases, orphans)


def orphaned(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Of these cases, those no active staff member holds a current key copy of."""
    held = Envelope.objects.filter(
        keyring_id=OuterRef("keyring_id"),
        recipient_kind=RecipientKind.STAFF,
        staff__is_active=True,
    )
    return cases.exclude(Exists(held)).exclude(
        status__in=[Status.DELETED, Status.MERGED, Status.DISCARDED]
    )


def restore_orphans(coordinator: Staff, recovery: vault.KeyPair) -> int:
    """Give `coordinator` a copy of every case of their team that no active
    colleague can open, with the recovery key. Returns how many."""
    if coordinator.role != Role.COORDINATOR or coordinator.team_id is None:
        raise Refused
    count = 0
    with transaction.atomic():
        for case in orphaned(Case.objects.filter(team_id=coordinator.team_id)).select_related(
            "keyring"
        ):
            count += keyring.restore_one(case.keyring, coordinator, recovery)
        if count:
            record(None, Action.ORPHANS_RESTORED, target=coordinator, count=count)
    return count


def in_danger_of(team_id: object) -> QuerySet[Staff]:
    return Staff.objects.filter(team_id=team_id, in_danger_at__isnull=False).order_by(
        "-in_danger_at"
    )
