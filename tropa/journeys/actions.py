"""Plans, legs and check-ins: every change writes its audit entry.

The duress rule: a requester's check-in with the pre-agreed duress word is
recorded and treated exactly like "I am safe" in everything the requester can
see (same page, same next deadline), and the same on disk: every check-in,
safe, help or duress, writes the same rows (a check-in whose kind is sealed to
the case key, a timeline event, one check-in alert at the first stage of the
ladder, the same notifications). Staff who open the case see what it said at
once; a seized database cannot tell them apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from tropa import vault
from tropa.accounts.models import Staff, Team
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions as case_actions
from tropa.cases import hooks
from tropa.cases.events import record_event
from tropa.cases.models import Case, Task
from tropa.core import clock
from tropa.core.words import normalise
from tropa.journeys.escalation import raise_alert
from tropa.journeys.events import JourneyEvent, checked_in_payload
from tropa.journeys.models import (
    Alert,
    AlertKind,
    Channel,
    CheckIn,
    CheckInKind,
    Leg,
    LegStatus,
    Plan,
    Risk,
)

# Padding of a sealed check-in kind before sealing: every kind fills it.
SAID_SIZE = 32


@dataclass(frozen=True)
class LegText:
    title: str
    details: str = ""
    risk_notes: str = ""
    backup_plan: str = ""


def plan_for(case: Case) -> Plan:
    plan, _created = Plan.objects.get_or_create(case=case)
    return plan


def save_protocol(
    case: Case, by: Staff, by_keys: vault.KeyPair, protocol: str, contacts: str
) -> Plan:
    keys = case_actions.open_case(case, by, by_keys)
    plan = plan_for(case)
    body = json.dumps({"protocol": protocol, "contacts": contacts}).encode()
    with transaction.atomic():
        plan.sealed_protocol = vault.seal_to_many(body, [keys.public_key])
        plan.updated_at = clock.now()
        plan.save(update_fields=["sealed_protocol", "updated_at"])
        record(by, Action.PLAN_CHANGED, case_id=case.pk)
    return plan


def set_duress_word(case: Case, by: Staff, by_keys: vault.KeyPair, word: str) -> None:
    """The word agreed with the requester; sealed so the requester's key can check it."""
    keys = case_actions.open_case(case, by, by_keys)
    plan = plan_for(case)
    checkers = [key for hook in hooks.CHECKIN_KEYS for key in hook(case)]
    sealed = vault.seal_to_many(
        normalise(word).encode(),
        [keys.public_key, *case_actions.requester_keys(case), *checkers],
    )
    with transaction.atomic():
        plan.sealed_duress = sealed if word.strip() else None
        plan.save(update_fields=["sealed_duress"])
        record(by, Action.PLAN_CHANGED, case_id=case.pk)


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
        leg = Leg.objects.create(
            plan=plan,
            position=position,
            sealed_body=vault.seal_to_many(json.dumps(text.__dict__).encode(), [keys.public_key]),
            risk=risk,
            planned_start=planned_start,
            planned_end=planned_end,
            checkin_every_hours=checkin_every_hours,
            grace_minutes=grace_minutes,
        )
        record(by, Action.PLAN_CHANGED, case_id=case.pk)
    return leg


def read_leg(leg: Leg, keys: vault.KeyPair) -> LegText:
    data: dict[str, Any] = json.loads(vault.open_from_many(keys, bytes(leg.sealed_body)))
    return LegText(**data)


def start_leg(leg: Leg, by: Staff) -> Leg:
    now = clock.now()
    with transaction.atomic():
        leg.status = LegStatus.ACTIVE
        leg.next_checkin_due = (
            now + timedelta(hours=leg.checkin_every_hours) if leg.checkin_every_hours else None
        )
        leg.save(update_fields=["status", "next_checkin_due"])
        record(by, Action.LEG_CHANGED, case_id=leg.plan.case_id)
    return leg


def finish_leg(leg: Leg, by: Staff) -> Leg:
    with transaction.atomic():
        leg.status = LegStatus.DONE
        leg.next_checkin_due = None
        leg.save(update_fields=["status", "next_checkin_due"])
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
        leg.status = LegStatus.FAILED
        leg.failed_at = clock.now()
        leg.next_checkin_due = None
        leg.save(update_fields=["status", "failed_at", "next_checkin_due"])
        steps = [ln.strip(" -•\t") for ln in text.backup_plan.splitlines() if ln.strip(" -•\t")]
        due = clock.now() + timedelta(hours=1)
        for number, step in enumerate(steps):
            # A second apart, so the steps keep their order in the task list.
            when = due + timedelta(seconds=number)
            tasks.append(case_actions.add_task(case, owners[0], by, by_keys, step, when))
        record(by, Action.LEG_CHANGED, case_id=case.pk)
    return tasks


def _is_duress(plan: Plan, word: str, requester_keys: vault.KeyPair) -> bool:
    if not plan.sealed_duress or not word.strip():
        return False
    try:
        agreed = vault.open_from_many(requester_keys, bytes(plan.sealed_duress))
    except vault.CannotOpen:
        return False
    return vault.constant_time_equal(agreed, normalise(word).encode())


def check_in(
    leg: Leg,
    kind: str,
    *,
    channel: str,
    word: str = "",
    requester_keys: vault.KeyPair | None = None,
    recorded_by: Staff | None = None,
) -> CheckIn:
    """Record a check-in. With the duress word it becomes a silent duress signal."""
    if leg.status != LegStatus.ACTIVE:
        raise case_actions.NotAllowed
    kind = CheckInKind(kind)
    if kind == CheckInKind.DURESS:
        raise ValueError("duress is never chosen, only detected from the word")
    now = clock.now()
    # The duress word turns any check-in, "safe" or "help", into a silent duress signal.
    if requester_keys is not None and _is_duress(leg.plan, word, requester_keys):
        kind = CheckInKind.DURESS
    case = leg.plan.case
    # Every branch below writes the same rows with the same plaintext: only
    # sealed bytes (padded to one size) differ between safe, help and duress.
    said = seal_said(case.public_key, kind)
    with transaction.atomic():
        checkin = CheckIn.objects.create(
            leg=leg, sealed_kind=said, channel=channel, at=now, recorded_by=recorded_by
        )
        leg.last_checkin_at = now
        if leg.checkin_every_hours:
            leg.next_checkin_due = now + timedelta(hours=leg.checkin_every_hours)
        leg.save(update_fields=["last_checkin_at", "next_checkin_due"])
        record_event(
            case,
            case.public_key,
            JourneyEvent.CHECKED_IN,
            recorded_by,
            **checked_in_payload(kind, channel),
        )
        raise_alert(case, leg, AlertKind.CHECKIN, now, checkin=checkin)
        if recorded_by is not None:
            record(recorded_by, Action.CHECKIN_RECORDED, case_id=case.pk)
    return checkin


def seal_said(case_public_key: bytes, kind: str) -> bytes:
    """What a check-in said, sealed to the case key, the same size for every kind."""
    body = json.dumps({"said": str(kind)}).encode()
    return vault.seal_to_many(body.ljust(SAID_SIZE), [case_public_key])


def read_said(checkin: CheckIn, keys: vault.KeyPair) -> CheckInKind | None:
    """What the check-in said; None when `keys` cannot open it or it is not one."""
    try:
        data = json.loads(vault.open_from_many(keys, bytes(checkin.sealed_kind)))
        return CheckInKind(data["said"])
    except (vault.CannotOpen, ValueError, KeyError, TypeError):
        return None


def acknowledge(alert: Alert, by: Staff) -> bool:
    """Stops the ladder; audited. Returns False if someone acknowledged it first."""
    with transaction.atomic():
        done = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=clock.now(), acknowledged_by=by, next_escalation_at=None
        )
        if done:
            record(by, Action.ALERT_ACKNOWLEDGED, case_id=alert.case_id)
    return bool(done)


def active_leg(case: Case) -> Leg | None:
    return (
        Leg.objects.filter(plan__case=case, status=LegStatus.ACTIVE)
        .select_related("plan__case")
        .order_by("position")
        .first()
    )


__all__ = ["Channel", "CheckInKind"]


def set_team_ladder(
    team: Team, *, duty_coordinator: Staff | None, to_duty: int, to_team: int, actor: Staff
) -> None:
    """A team's escalation ladder: who is on duty, and the minutes between steps."""
    with transaction.atomic():
        team.duty_coordinator = duty_coordinator
        team.escalate_to_duty_minutes = to_duty
        team.escalate_to_team_minutes = to_team
        team.save(
            update_fields=[
                "duty_coordinator",
                "escalate_to_duty_minutes",
                "escalate_to_team_minutes",
            ]
        )
        record(actor, Action.TEAM_LADDER_CHANGED)


def set_plan_ladder(case: Case, *, to_duty: int | None, to_team: int | None, actor: Staff) -> None:
    """One journey's own escalation minutes (None: the team's)."""
    with transaction.atomic():
        plan = plan_for(case)
        plan.to_duty_minutes = to_duty
        plan.to_team_minutes = to_team
        plan.save(update_fields=["to_duty_minutes", "to_team_minutes"])
        record(actor, Action.PLAN_CHANGED, case_id=case.pk)
