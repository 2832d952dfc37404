"""A journey's legs, from planned to done or failed: every change audited and
in the case timeline, and the case "in transit" while a leg is under way.

A planned leg can be edited or deleted; once started it is history. Marking
a leg failed brings its backup plan up as tasks; a coordinator can undo a
failure within the hour (a mistaken click), the tasks staying as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from tropa import vault
from tropa.accounts.models import Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions as case_actions
from tropa.cases.events import record_event
from tropa.cases.models import Case, Status, Task
from tropa.core import clock
from tropa.journeys import stats
from tropa.journeys.events import JourneyEvent
from tropa.journeys.models import Leg, LegStatus, Plan, Risk

# How long after a failure a coordinator may still undo it.
UNDO_FAILURE_WITHIN = timedelta(hours=1)


@dataclass(frozen=True)
class LegText:
    title: str
    details: str = ""
    risk_notes: str = ""
    backup_plan: str = ""


@dataclass(frozen=True)
class LegPlan:
    """A leg's plaintext settings: risk, times, check-ins."""

    risk: str = Risk.MEDIUM
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    checkin_every_hours: int | None = None
    grace_minutes: int = 30


def plan_for(case: Case) -> Plan:
    plan, _created = Plan.objects.get_or_create(case=case)
    return plan


def _seal(text: LegText, case_public_key: bytes) -> bytes:
    return vault.seal_to_many(json.dumps(text.__dict__).encode(), [case_public_key])


def read_leg(leg: Leg, keys: vault.KeyPair) -> LegText:
    data: dict[str, Any] = json.loads(vault.open_from_many(keys, bytes(leg.sealed_body)))
    return LegText(**data)


def add_leg(
    case: Case,
    by: Staff,
    by_keys: vault.KeyPair,
    text: LegText,
    *,
    risk: str = Risk.MEDIUM,
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
    checkin_every_hours: int | None = None,
    grace_minutes: int = 30,
) -> Leg:
    keys = case_actions.open_case(case, by, by_keys)
    plan = plan_for(case)
    with transaction.atomic():
        position = plan.legs.count() + 1
        with stats.counted(plan):
            leg = Leg.objects.create(
                plan=plan,
                position=position,
                sealed_body=_seal(text, keys.public_key),
                risk=risk,
                planned_start=planned_start,
                planned_end=planned_end,
                checkin_every_hours=checkin_every_hours,
                grace_minutes=grace_minutes,
            )
        record(by, Action.PLAN_CHANGED, case_id=case.pk)
    return leg


def edit_leg(leg: Leg, by: Staff, by_keys: vault.KeyPair, text: LegText, settings: LegPlan) -> Leg:
    """Change a leg that has not started yet (NotAllowed for any other)."""
    case = leg.plan.case
    keys = case_actions.open_case(case, by, by_keys)
    with transaction.atomic():
        if not Leg.objects.filter(pk=leg.pk, status=LegStatus.PLANNED).exists():
            raise case_actions.NotAllowed
        leg.sealed_body = _seal(text, keys.public_key)
        for name, value in settings.__dict__.items():
            setattr(leg, name, value)
        leg.save()
        record(by, Action.PLAN_CHANGED, case_id=case.pk)
    return leg


def delete_leg(leg: Leg, by: Staff) -> None:
    """Remove a leg that has not started; the later ones move up."""
    plan = leg.plan
    with transaction.atomic():
        with stats.counted(plan):
            deleted, _rows = Leg.objects.filter(pk=leg.pk, status=LegStatus.PLANNED).delete()
        if not deleted:
            raise case_actions.NotAllowed
        for position, later in enumerate(plan.legs.order_by("position"), start=1):
            if later.position != position:
                Leg.objects.filter(pk=later.pk).update(position=position)
        record(by, Action.PLAN_CHANGED, case_id=plan.case_id)


def _event(leg: Leg, kind: str, by: Staff | None, **payload: Any) -> None:
    case = leg.plan.case
    record_event(case, case.public_key, kind, by, position=leg.position, **payload)


def _in_transit_while_under_way(case: Case, by: Staff) -> None:
    """The case is "in transit" while any of its legs is; "active" again after."""
    under_way = Leg.objects.filter(plan__case=case, status=LegStatus.ACTIVE).exists()
    if under_way and case.status in (Status.TRIAGED, Status.ACTIVE):
        case_actions.follow_journey(case, Status.IN_TRANSIT, by)
    elif not under_way and case.status == Status.IN_TRANSIT:
        case_actions.follow_journey(case, Status.ACTIVE, by)


def start_leg(leg: Leg, by: Staff) -> Leg:
    now = clock.now()
    with transaction.atomic():
        leg.status = LegStatus.ACTIVE
        leg.started_at = now
        leg.next_checkin_due = (
            now + timedelta(hours=leg.checkin_every_hours) if leg.checkin_every_hours else None
        )
        with stats.counted(leg.plan):
            leg.save(update_fields=["status", "started_at", "next_checkin_due"])
        _event(leg, JourneyEvent.LEG_STARTED, by)
        _in_transit_while_under_way(leg.plan.case, by)
        record(by, Action.LEG_CHANGED, case_id=leg.plan.case_id)
    return leg


def finish_leg(leg: Leg, by: Staff) -> Leg:
    with transaction.atomic():
        leg.status = LegStatus.DONE
        leg.ended_at = clock.now()
        leg.next_checkin_due = None
        with stats.counted(leg.plan):
            leg.save(update_fields=["status", "ended_at", "next_checkin_due"])
        _event(leg, JourneyEvent.LEG_DONE, by)
        _in_transit_while_under_way(leg.plan.case, by)
        record(by, Action.LEG_CHANGED, case_id=leg.plan.case_id)
    return leg


def fail_leg(leg: Leg, by: Staff, by_keys: vault.KeyPair) -> list[Task]:
    """A failed leg: its backup plan comes to the top of the case, one task per line."""
    case = leg.plan.case
    keys = case_actions.open_case(case, by, by_keys)
    text = read_leg(leg, keys)
    owners = [a.staff for a in case.assignments.select_related("staff")] or [by]
    tasks = []
    with transaction.atomic():
        leg.failed_from = leg.status
        leg.status = LegStatus.FAILED
        leg.failed_at = leg.ended_at = clock.now()
        leg.next_checkin_due = None
        with stats.counted(leg.plan):
            leg.save(
                update_fields=["status", "failed_from", "failed_at", "ended_at", "next_checkin_due"]
            )
        steps = [ln.strip(" -•\t") for ln in text.backup_plan.splitlines() if ln.strip(" -•\t")]
        due = clock.now() + timedelta(hours=1)
        for number, step in enumerate(steps):
            # A second apart, so the steps keep their order in the task list.
            when = due + timedelta(seconds=number)
            tasks.append(case_actions.add_task(case, owners[0], by, by_keys, step, when))
        _event(leg, JourneyEvent.LEG_FAILED, by)
        _in_transit_while_under_way(case, by)
        record(by, Action.LEG_CHANGED, case_id=case.pk)
    return tasks


def can_undo_failure(leg: Leg) -> bool:
    return (
        leg.status == LegStatus.FAILED
        and leg.failed_at is not None
        and clock.now() - leg.failed_at <= UNDO_FAILURE_WITHIN
    )


def undo_failure(leg: Leg, by: Staff) -> Leg:
    """Put a leg failed by mistake back as it was (a coordinator, within the hour).
    A leg under way expects its next check-in a full interval from now."""
    with transaction.atomic():
        if not can_undo_failure(leg):
            raise case_actions.NotAllowed
        restored = leg.failed_from or LegStatus.ACTIVE
        leg.status = restored
        leg.failed_at = leg.ended_at = None
        leg.next_checkin_due = (
            clock.now() + timedelta(hours=leg.checkin_every_hours)
            if restored == LegStatus.ACTIVE and leg.checkin_every_hours
            else None
        )
        with stats.counted(leg.plan):
            leg.save(update_fields=["status", "failed_at", "ended_at", "next_checkin_due"])
        _event(leg, JourneyEvent.LEG_FAILURE_UNDONE, by)
        _in_transit_while_under_way(leg.plan.case, by)
        record(by, Action.LEG_CHANGED, case_id=leg.plan.case_id)
    return leg
