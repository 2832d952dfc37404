"""The journey plan on the case page, its actions, and the coordinators' journeys page.

Views parse, check permission (a case the viewer may not see, or a plan they
may not edit, is a 404), call an action in tropa/journeys/actions.py and
redirect back to the case page. Bad input renders the case page again.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role, Staff
from tropa.accounts.people import roles_only
from tropa.cases import actions as case_actions
from tropa.cases.access import can_manage, get_case_for
from tropa.cases.models import Case, Status
from tropa.core import clock
from tropa.journeys import actions
from tropa.journeys.forms import CheckInForm, DuressForm, LegForm, ProtocolForm
from tropa.journeys.ladder import PlanLadderForm, team_ladder_form
from tropa.journeys.models import (
    RISK_ORDER,
    Alert,
    AlertKind,
    Channel,
    Leg,
    LegStatus,
    Outbox,
    Plan,
    Risk,
)
from tropa.keyring.actions import NoAccess

FAILED_DELIVERY_ATTEMPTS = 3
RISK_BY_RANK = {rank: risk for risk, rank in RISK_ORDER.items()}


def may_edit_plan(staff: Staff, case: Case) -> bool:
    """The consultants assigned to the case and its team's coordinators."""
    if case.status in (Status.NEW, Status.DISCARDED) or not staff.is_active:
        return False
    return can_manage(staff, case) or case.assignments.filter(staff=staff).exists()


def _plan_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    case = get_case_for(_staff(request), case_id)
    if not may_edit_plan(_staff(request), case):
        raise Http404
    return case


def _leg(case: Case, leg_id: uuid.UUID) -> Leg:
    leg = Leg.objects.filter(pk=leg_id, plan__case=case).select_related("plan__case").first()
    if leg is None:
        raise Http404
    return leg


def _back(case: Case, anchor: str = "journey") -> HttpResponse:
    response = redirect("cases:case", case_id=case.pk)
    response["Location"] += f"#{anchor}"
    return response


def _no_key(request: HttpRequest, case: Case) -> HttpResponse:
    messages.error(
        request,
        _("You hold no key for this case. Ask a coordinator to share it with you again."),
    )
    return _back(case)


def _render_case(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    from tropa.cases.views import _render  # the case page imports this module

    return _render(request, case, status=400, **forms)


# --- the plan on the case page ---------------------------------------------------


@dataclass
class LegRow:
    leg: Leg
    text: actions.LegText | None  # None: this leg cannot be opened
    overdue: bool
    alerting: bool  # past the deadline and the grace period


@dataclass
class AlertRow:
    alert: Alert
    duress: bool


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
                )
            )
    alerts = [
        AlertRow(alert, alert.kind == AlertKind.DURESS)
        for alert in Alert.objects.filter(case=case, acknowledged_at__isnull=True).order_by(
            "raised_at"
        )
    ]
    alerts.sort(key=lambda row: (not row.duress, row.alert.raised_at))
    return {
        "journey_plan": plan,
        "journey_edit": may_edit_plan(staff, case),
        "journey_protocol": protocol,
        "journey_has_duress": bool(plan and plan.sealed_duress),
        "journey_legs": rows,
        "journey_failed": [r for r in rows if r.leg.status == LegStatus.FAILED],
        "journey_alerts": alerts,
        "protocol_form": ProtocolForm(initial=protocol or {}),
        "plan_ladder_form": PlanLadderForm(
            initial={
                "to_duty": plan.to_duty_minutes if plan else None,
                "to_team": plan.to_team_minutes if plan else None,
            }
        ),
        "duress_form": DuressForm(),
        "leg_form": LegForm(),
        "risks": Risk,
        "leg_status": LegStatus,
    }


@require_POST
def protocol(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = _plan_case(request, case_id)
    form = ProtocolForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, protocol_form=form)
    try:
        actions.save_protocol(
            case,
            staff,
            _keys(request),
            form.cleaned_data["protocol"],
            form.cleaned_data["contacts"],
        )
    except NoAccess:
        return _no_key(request, case)
    messages.success(request, _("Emergency protocol saved."))
    return _back(case, "journey-protocol")


@require_POST
def duress(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = _plan_case(request, case_id)
    form = DuressForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, duress_form=form)
    try:
        actions.set_duress_word(case, staff, _keys(request), form.cleaned_data["word"])
    except NoAccess:
        return _no_key(request, case)
    messages.success(request, _("The duress word is set. Make sure the requester knows it."))
    return _back(case, "journey-duress")


@require_POST
def add_leg(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = _plan_case(request, case_id)
    form = LegForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, leg_form=form)
    data = form.cleaned_data
    text = actions.LegText(
        title=data["title"],
        details=data["details"],
        risk_notes=data["risk_notes"],
        backup_plan=data["backup_plan"],
    )
    try:
        actions.add_leg(
            case,
            staff,
            _keys(request),
            text,
            risk=data["risk"],
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
            checkin_every_hours=data["checkin_every_hours"],
            grace_minutes=data["grace_minutes"],
        )
    except NoAccess:
        return _no_key(request, case)
    messages.success(request, _("Leg added to the plan."))
    return _back(case)


@require_POST
def start_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    case = _plan_case(request, case_id)
    leg = _leg(case, leg_id)
    if leg.status != LegStatus.PLANNED:
        messages.error(request, _("Only a planned leg can be started."))
        return _back(case)
    actions.start_leg(leg, _staff(request))
    messages.success(request, _("The leg is under way. Check-ins are now expected."))
    return _back(case)


@require_POST
def finish_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    case = _plan_case(request, case_id)
    leg = _leg(case, leg_id)
    if leg.status != LegStatus.ACTIVE:
        messages.error(request, _("Only a leg under way can be marked done."))
        return _back(case)
    actions.finish_leg(leg, _staff(request))
    messages.success(request, _("The leg is done."))
    return _back(case)


@require_POST
def fail_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    case = _plan_case(request, case_id)
    leg = _leg(case, leg_id)
    if leg.status not in (LegStatus.PLANNED, LegStatus.ACTIVE):
        messages.error(request, _("This leg is already finished."))
        return _back(case)
    try:
        actions.fail_leg(leg, _staff(request), _keys(request))
    except (NoAccess, vault.CannotOpen):
        return _no_key(request, case)
    messages.warning(request, _("The leg failed. Its backup plan is at the top of the page."))
    return _back(case, "journey-backup")


@require_POST
def check_in(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    """A check-in the requester made another way, say by phone."""
    case = _plan_case(request, case_id)
    leg = _leg(case, leg_id)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what the requester said."))
        return _back(case)
    try:
        actions.check_in(
            leg, form.cleaned_data["kind"], channel=Channel.STAFF, recorded_by=_staff(request)
        )
    except case_actions.NotAllowed:
        messages.error(request, _("Check-ins are recorded only for a leg under way."))
        return _back(case)
    messages.success(request, _("Check-in recorded."))
    return _back(case)


@require_POST
def acknowledge(request: HttpRequest, case_id: uuid.UUID, alert_id: uuid.UUID) -> HttpResponse:
    case = _plan_case(request, case_id)
    alert = Alert.objects.filter(pk=alert_id, case=case).first()
    if alert is None:
        raise Http404
    if actions.acknowledge(alert, _staff(request)):
        messages.success(request, _("Alert acknowledged. Escalation has stopped."))
    else:
        messages.info(request, _("Someone has already acknowledged this alert."))
    return _back(case, "alerts")


# --- the coordinators' journeys page ---------------------------------------------


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


def active_journeys(staff: Staff) -> list[JourneyRow]:
    """The team's cases with a leg under way, riskiest and most overdue first.

    One query, whatever the number of rows; nothing is decrypted.
    """
    if staff.team_id is None:
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
    cases = (
        Case.objects.filter(team_id=staff.team_id)
        .exclude(status__in=[Status.DELETED, Status.MERGED, Status.DISCARDED])
        .filter(pk__in=Leg.objects.filter(status=LegStatus.ACTIVE).values("plan__case"))
        .annotate(
            risk_rank=Subquery(
                legs.annotate(rank=_risk_rank()).order_by("-rank").values("rank")[:1]
            ),
            next_due=Subquery(
                active.filter(next_checkin_due__isnull=False)
                .order_by("next_checkin_due")
                .values("next_checkin_due")[:1]
            ),
            open_alerts=Coalesce(Subquery(open_alerts, output_field=IntegerField()), 0),
        )
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


def failed_deliveries() -> list[Outbox]:
    """Notifications that could not be delivered after several tries: no case content."""
    return list(
        Outbox.objects.filter(attempts__gte=FAILED_DELIVERY_ATTEMPTS, delivered_at__isnull=True)
        .select_related("staff")
        .order_by("next_attempt_at")[:200]
    )


@roles_only(Role.COORDINATOR)
def journeys(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": active_journeys(_staff(request)),
        "failed": failed_deliveries(),
        "risks": Risk,
        "ladder_form": team_ladder_form(_staff(request)),
    }
    return render(request, "journeys/journeys.html", context)
