"""Reads behind the journey pages: the plan on the case page, active journeys.

Nothing here writes. `journey_context` is the case page's journey section
(registered in tropa/journeys/wiring.py); `active_journeys` is the
coordinators' journeys page, in one query whatever the number of rows.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.cases.access import get_case_for, may_work_on
from tropa.cases.models import Case, Status
from tropa.core import clock
from tropa.journeys import actions, legs, marks
from tropa.journeys.forms import (
    ClearDuressForm,
    DuressForm,
    LegForm,
    PlanLadderForm,
    ProtocolForm,
)
from tropa.journeys.models import (
    RISK_ORDER,
    Alert,
    AlertKind,
    CheckInKind,
    Leg,
    LegStatus,
    Plan,
    Risk,
)

RISK_BY_RANK = {rank: risk for risk, rank in RISK_ORDER.items()}


def plan_case_for(staff: Staff, case_id: uuid.UUID) -> Case:
    """The case whose plan `staff` may edit; 404 for anything else."""
    case = get_case_for(staff, case_id)
    if not may_work_on(staff, case):
        raise Http404
    return case


@dataclass
class LegRow:
    leg: Leg
    text: actions.LegText | None  # None: this leg cannot be opened
    overdue: bool
    alerting: bool  # past the deadline and the grace period
    undoable: bool = False  # failed within the hour: a coordinator may undo it


@dataclass
class AlertRow:
    alert: Alert
    # What the check-in said, for a CHECKIN alert the viewer could open.
    said: CheckInKind | None
    note: str = ""

    @property
    def duress(self) -> bool:
        return self.said == CheckInKind.DURESS

    @property
    def urgency(self) -> int:
        """Duress first, then a call for help, a missed deadline, and the rest."""
        if self.said == CheckInKind.DURESS:
            return 0
        if self.said == CheckInKind.HELP:
            return 1
        if self.alert.kind in (AlertKind.MISSED, AlertKind.ROUTE):
            return 2
        return 3


def alert_rows(alerts: list[Alert], keys: vault.KeyPair) -> list[AlertRow]:
    """Open alerts of one case with what their check-ins said, most urgent first."""
    rows = [
        AlertRow(
            alert,
            actions.read_said(alert.checkin, keys) if alert.checkin else None,
            actions.read_note(alert.checkin, keys) if alert.checkin else "",
        )
        for alert in alerts
    ]
    rows.sort(key=lambda row: (row.urgency, row.alert.raised_at))
    return rows


def _read_protocol(plan: Plan, keys: vault.KeyPair) -> dict[str, str] | None:
    if not plan.sealed_protocol:
        return {"protocol": "", "contacts": ""}
    try:
        data: dict[str, str] = json.loads(vault.open_from_many(keys, bytes(plan.sealed_protocol)))
    except vault.CannotOpen:
        return None
    return data


def _read_leg(leg: Leg, keys: vault.KeyPair) -> actions.LegText | None:
    try:
        return actions.read_leg(leg, keys)
    except vault.CannotOpen:
        return None


def journey_context(case: Case, keys: vault.KeyPair, staff: Staff) -> dict[str, Any]:
    """What the case page needs for the journey: `keys` is the opened case key pair."""
    if case.status == Status.NEW:
        return {}
    now = clock.now()
    plan = Plan.objects.filter(case=case).first()
    rows: list[LegRow] = []
    protocol: dict[str, str] | None = {"protocol": "", "contacts": ""}
    if plan is not None:
        protocol = _read_protocol(plan, keys)
        for leg in plan.legs.all():
            due, alert_at = leg.next_checkin_due, leg.alert_at
            rows.append(
                LegRow(
                    leg,
                    _read_leg(leg, keys),
                    overdue=leg.status == LegStatus.ACTIVE and due is not None and due < now,
                    alerting=leg.status == LegStatus.ACTIVE
                    and alert_at is not None
                    and alert_at < now,
                    undoable=legs.can_undo_failure(leg),
                )
            )
    alerts = alert_rows(
        list(
            Alert.objects.filter(case=case, acknowledged_at__isnull=True).select_related("checkin")
        ),
        keys,
    )
    return {
        "journey_plan": plan,
        "journey_edit": may_work_on(staff, case),
        "journey_protocol": protocol,
        "journey_has_duress": bool(plan and plan.sealed_duress),
        "journey_legs": rows,
        # A failed leg, or one under an open route-point alert: its backup plan up front
        "journey_failed": [
            r
            for r in rows
            if r.leg.status == LegStatus.FAILED
            or any(a.alert.kind == AlertKind.ROUTE and a.alert.leg_id == r.leg.pk for a in alerts)
        ],
        "journey_alerts": alerts,
        "protocol_form": ProtocolForm(initial=protocol or {}),
        "plan_ladder_form": PlanLadderForm(
            initial={
                "to_duty": plan.to_duty_minutes if plan else None,
                "to_team": plan.to_team_minutes if plan else None,
            }
        ),
        "duress_form": DuressForm(),
        "journey_duress_marks": marks.duress_marks(case, keys),
        "clear_form": ClearDuressForm(),
        "leg_form": LegForm(),
        "risks": Risk,
        "leg_status": LegStatus,
    }


@dataclass
class JourneyRow:
    case: Case
    risk: str | None
    next_due: datetime | None
    overdue: bool
    open_alerts: int


def _risk_rank() -> SqlCase:
    return SqlCase(
        *[When(risk=risk, then=Value(rank)) for risk, rank in RISK_ORDER.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def active_journeys(staff: Staff, through: Any = None) -> list[JourneyRow]:
    """A coordinator's team's cases (a consultant's own) with a leg under way,
    riskiest and most overdue first.

    One query, whatever the number of rows; nothing is decrypted.
    """
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        scope = Case.objects.filter(team_id=staff.team_id)
    elif staff.role == Role.CONSULTANT:
        scope = Case.objects.filter(assignments__staff=staff, assignments__is_open=True)
    else:
        return []
    legs = Leg.objects.filter(plan__case=OuterRef("pk"))
    active = legs.filter(status=LegStatus.ACTIVE)
    open_alerts = (
        Alert.objects.filter(case=OuterRef("pk"), acknowledged_at__isnull=True)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    base = scope.exclude(status__in=[Status.DELETED, Status.MERGED, Status.DISCARDED]).filter(
        pk__in=Leg.objects.filter(status=LegStatus.ACTIVE).values("plan__case")
    )
    if through is not None:  # a filter of a higher app (hooks.LEG_FILTERS): these legs only
        base = base.filter(pk__in=Leg.objects.filter(pk__in=through).values("plan__case"))
    cases = base.annotate(
        risk_rank=Subquery(legs.annotate(rank=_risk_rank()).order_by("-rank").values("rank")[:1]),
        next_due=Subquery(
            active.filter(next_checkin_due__isnull=False)
            .order_by("next_checkin_due")
            .values("next_checkin_due")[:1]
        ),
        open_alerts=Coalesce(Subquery(open_alerts, output_field=IntegerField()), 0),
    )
    now = clock.now()
    rows = [
        JourneyRow(
            case,
            RISK_BY_RANK.get(case.risk_rank) if case.risk_rank is not None else None,
            case.next_due,
            case.next_due is not None and case.next_due < now,
            case.open_alerts,
        )
        for case in cases
    ]

    def order(row: JourneyRow) -> tuple[int, bool, int, float]:
        rank = RISK_ORDER.get(row.risk, -1) if row.risk else -1  # type: ignore[call-overload]
        due = row.next_due.timestamp() if row.next_due else float("inf")
        return (-row.open_alerts, not row.overdue, -rank, due)

    return sorted(rows, key=order)
