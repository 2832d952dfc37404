"""The watcher's work for journeys: missed check-ins and the escalation ladder.

Each job claims its rows with a conditional UPDATE and acts only when the
UPDATE changed exactly one row, as healthchecks' sendalerts does: several
watchers on several machines never raise, escalate or send the same thing
twice, and a row claimed by a watcher that died is retried by the next one.

The ladder, per team with per-plan overrides:
  stage 0  at deadline + grace: the consultants assigned to the case
  stage 1  after `to_duty` minutes more: the team's duty coordinator (whoever
           is on shift in the roster, or all coordinators between shifts)
  stage 2  after `to_team` minutes more: every coordinator of the team
Every check-in (safe, help or duress: the database cannot tell which) raises
one CHECKIN alert that climbs the same ladder as a missed one until someone
who opened it acknowledges it. Acknowledging stops the ladder.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q

from tropa.accounts import roster
from tropa.accounts.models import Role, Staff
from tropa.cases.events import record_event
from tropa.cases.models import Case
from tropa.core import clock
from tropa.journeys.events import JourneyEvent
from tropa.journeys.models import Alert, AlertKind, CheckIn, Leg, LegStatus, Plan, Stage
from tropa.notify.models import NotificationKind
from tropa.notify.outbox import queue

log = logging.getLogger("tropa.journeys")

BATCH = 500


def ladder(case: Case, plan: Plan | None) -> tuple[int, int]:
    """Minutes from stage 0 to 1 and from 1 to 2 for this case."""
    team = case.team
    to_duty = (plan and plan.to_duty_minutes) or (team and team.escalate_to_duty_minutes) or 15
    to_team = (plan and plan.to_team_minutes) or (team and team.escalate_to_team_minutes) or 15
    return to_duty, to_team


def recipients(case: Case, stage: int) -> list[Staff]:
    if stage == Stage.CONSULTANTS:
        people = [a.staff for a in case.assignments.select_related("staff") if a.staff.is_active]
        if people:
            return people
        stage = Stage.DUTY  # nobody assigned: go up at once
    coordinators = list(
        Staff.objects.filter(team_id=case.team_id, role=Role.COORDINATOR, is_active=True)
    )
    if stage == Stage.DUTY and case.team is not None:
        if roster.has_roster(case.team):
            # the roster decides; between shifts, every coordinator of the team
            return roster.on_duty(case.team, clock.now()) or coordinators
        duty = case.team.duty_coordinator
        if duty is not None and duty.is_active:
            return [duty]
    return coordinators


def enqueue(people: list[Staff], alert_kind: str) -> None:
    """Alerts always go by e-mail too, whatever the person chose for the rest."""
    queue(people, NotificationKind.for_alert(alert_kind), always_email=True)


def raise_alert(
    case: Case, leg: Leg | None, kind: str, now: datetime, checkin: CheckIn | None = None
) -> Alert:
    """A new alert, told at once to the first stage of the ladder, whatever its kind."""
    plan = getattr(case, "plan", None)
    to_duty, _to_team = ladder(case, plan)
    stage, next_at = Stage.CONSULTANTS, now + timedelta(minutes=to_duty)
    alert = Alert.objects.create(
        case=case,
        leg=leg,
        kind=kind,
        checkin=checkin,
        stage=stage,
        raised_at=now,
        next_escalation_at=next_at,
    )
    enqueue(recipients(case, stage), kind)
    if kind == AlertKind.MISSED:  # a check-in's alert is in the timeline as the check-in
        record_event(case, case.public_key, JourneyEvent.ALERT_RAISED, None, stage=stage)
    return alert


def raise_missed_checkins() -> int:
    """Legs whose check-in deadline plus grace has passed get one alert each."""
    now = clock.now()
    due = (
        Leg.objects.filter(status=LegStatus.ACTIVE, alert_due_at__lte=now)
        .filter(Q(alerted_due__isnull=True) | Q(alerted_due__lt=F("next_checkin_due")))
        .select_related("plan__case__team", "plan__case__keyring")
        .order_by("alert_due_at")[:BATCH]
    )
    raised = 0
    for leg in due:
        with transaction.atomic():
            claimed = (
                Leg.objects.filter(pk=leg.pk, next_checkin_due=leg.next_checkin_due)
                .filter(Q(alerted_due__isnull=True) | ~Q(alerted_due=leg.next_checkin_due))
                .update(alerted_due=leg.next_checkin_due)
            )
            if claimed != 1:
                continue
            raise_alert(leg.plan.case, leg, AlertKind.MISSED, now)
            raised += 1
    return raised


def escalate_alerts() -> int:
    """Unacknowledged alerts whose time has come move one stage up."""
    now = clock.now()
    due = (
        Alert.objects.filter(acknowledged_at__isnull=True, next_escalation_at__lte=now)
        .select_related("case__team", "case__keyring")
        .order_by("next_escalation_at")[:BATCH]
    )
    moved = 0
    for alert in due:
        stage = alert.stage + 1
        plan = Plan.objects.filter(case_id=alert.case_id).first()
        _to_duty, to_team = ladder(alert.case, plan)
        next_at = now + timedelta(minutes=to_team) if stage < Stage.TEAM else None
        with transaction.atomic():
            claimed = Alert.objects.filter(
                pk=alert.pk, stage=alert.stage, acknowledged_at__isnull=True
            ).update(stage=stage, next_escalation_at=next_at)
            if claimed != 1:
                continue
            enqueue(recipients(alert.case, stage), alert.kind)
            record_event(
                alert.case, alert.case.public_key, JourneyEvent.ALERT_ESCALATED, None, stage=stage
            )
            moved += 1
    return moved
