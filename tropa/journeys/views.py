"""The journey plan on the case page, its actions, and the coordinators' journeys page.

Views parse, check permission (a case the viewer may not see, or a plan they
may not edit, is a 404), call an action in tropa/journeys/actions.py and
redirect back to the case page. Bad input renders the case page again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role, Staff
from tropa.cases import actions as case_actions
from tropa.cases.case_page import render_case_page
from tropa.cases.models import Case
from tropa.journeys import actions, hooks, queries
from tropa.journeys.forms import CheckInForm, DuressForm, LegForm, ProtocolForm
from tropa.journeys.ladder import team_ladder_form
from tropa.journeys.models import (
    Alert,
    Channel,
    Leg,
    LegStatus,
    Risk,
)
from tropa.journeys.queries import plan_case_for
from tropa.keyring.actions import NoAccess
from tropa.notify.outbox import FAILING_AFTER, failed_deliveries


def leg_of(case: Case, leg_id: uuid.UUID) -> Leg:
    leg = Leg.objects.filter(pk=leg_id, plan__case=case).select_related("plan__case").first()
    if leg is None:
        raise Http404
    return leg


def back_to_plan(case: Case, anchor: str = "journey") -> HttpResponse:
    response = redirect("cases:case", case_id=case.pk)
    response["Location"] += f"#{anchor}"
    return response


def _no_key(request: HttpRequest, case: Case) -> HttpResponse:
    messages.error(
        request,
        _("You hold no key for this case. Ask a coordinator to share it with you again."),
    )
    return back_to_plan(case)


def _render_case(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    return render_case_page(request, case, status=400, **forms)


@require_POST
def protocol(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = plan_case_for(_staff(request), case_id)
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
    return back_to_plan(case, "journey-protocol")


@require_POST
def duress(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = plan_case_for(_staff(request), case_id)
    form = DuressForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, duress_form=form)
    try:
        actions.set_duress_word(case, staff, _keys(request), form.cleaned_data["word"])
    except NoAccess:
        return _no_key(request, case)
    messages.success(request, _("The duress word is set. Make sure the requester knows it."))
    return back_to_plan(case, "journey-duress")


@require_POST
def add_leg(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = plan_case_for(_staff(request), case_id)
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
    return back_to_plan(case)


def _move_leg(
    request: HttpRequest,
    case_id: uuid.UUID,
    leg_id: uuid.UUID,
    *,
    allowed: tuple[str, ...],
    refusal: str,
    move: Callable[[Leg, Staff], object],
    done: str,
) -> HttpResponse:
    """Start or finish a leg that is in one of the `allowed` states."""
    case = plan_case_for(_staff(request), case_id)
    leg = leg_of(case, leg_id)
    if leg.status not in allowed:
        messages.error(request, refusal)
        return back_to_plan(case)
    move(leg, _staff(request))
    messages.success(request, done)
    return back_to_plan(case)


@require_POST
def start_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    return _move_leg(
        request,
        case_id,
        leg_id,
        allowed=(LegStatus.PLANNED,),
        refusal=_("Only a planned leg can be started."),
        move=actions.start_leg,
        done=_("The leg is under way. Check-ins are now expected."),
    )


@require_POST
def finish_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    return _move_leg(
        request,
        case_id,
        leg_id,
        allowed=(LegStatus.ACTIVE,),
        refusal=_("Only a leg under way can be marked done."),
        move=actions.finish_leg,
        done=_("The leg is done."),
    )


@require_POST
def check_in(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    """A check-in the requester made another way, say by phone."""
    case = plan_case_for(_staff(request), case_id)
    leg = leg_of(case, leg_id)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what the requester said."))
        return back_to_plan(case)
    try:
        actions.check_in(
            leg, form.cleaned_data["kind"], channel=Channel.STAFF, recorded_by=_staff(request)
        )
    except case_actions.NotAllowed:
        messages.error(request, _("Check-ins are recorded only for a leg under way."))
        return back_to_plan(case)
    messages.success(request, _("Check-in recorded."))
    return back_to_plan(case)


@require_POST
def acknowledge(request: HttpRequest, case_id: uuid.UUID, alert_id: uuid.UUID) -> HttpResponse:
    case = plan_case_for(_staff(request), case_id)
    alert = Alert.objects.filter(pk=alert_id, case=case).first()
    if alert is None:
        raise Http404
    if actions.acknowledge(alert, _staff(request)):
        messages.success(request, _("Alert acknowledged. Escalation has stopped."))
    else:
        messages.info(request, _("Someone has already acknowledged this alert."))
    return back_to_plan(case, "alerts")


# --- the coordinators' journeys page ---------------------------------------------


@roles_only(Role.COORDINATOR, Role.CONSULTANT)
def journeys(request: HttpRequest) -> HttpResponse:
    """A coordinator's team, a consultant's own cases: journeys under way."""
    staff = _staff(request)
    coordinator = staff.role == Role.COORDINATOR
    through, filtered = None, False
    for name, value in request.GET.items():
        found = hooks.LEG_FILTERS.get(name)
        if found is not None:
            through, filtered = found(value), True
    context = {
        "rows": queries.active_journeys(staff, through),
        "filtered": filtered,
        "is_coordinator": coordinator,
        "failed": failed_deliveries(FAILING_AFTER) if coordinator else [],
        "risks": Risk,
        "ladder_form": team_ladder_form(staff) if coordinator else None,
    }
    return render(request, "journeys/journeys.html", context)
