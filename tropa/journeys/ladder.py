"""Escalation settings: the team's duty coordinator and ladder, a plan's overrides."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.current import roles_only, staff_of
from tropa.accounts.models import Role, Staff
from tropa.journeys import actions
from tropa.journeys.forms import PlanLadderForm, TeamLadderForm
from tropa.journeys.queries import plan_case_for


def team_ladder_form(staff: Staff, data: object = None) -> TeamLadderForm | None:
    team = staff.team
    if team is None or staff.role != Role.COORDINATOR:
        return None
    return TeamLadderForm(
        team,
        data,
        initial={
            "duty_coordinator": team.duty_coordinator_id,
            "to_duty": team.escalate_to_duty_minutes,
            "to_team": team.escalate_to_team_minutes,
        },
    )


@require_POST
@roles_only(Role.COORDINATOR)
def team_ladder(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.user  # type: ignore[assignment]
    form = team_ladder_form(staff, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        team = staff.team
        assert team is not None
        actions.set_team_ladder(
            team,
            duty_coordinator=form.cleaned_data["duty_coordinator"],
            to_duty=form.cleaned_data["to_duty"],
            to_team=form.cleaned_data["to_team"],
            actor=staff,
        )
        messages.success(request, _("Escalation settings saved."))
    else:
        messages.error(request, _("Those settings were not saved: minutes must be 1 to 240."))
    return redirect("journeys:journeys")


@require_POST
def plan_ladder(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = plan_case_for(staff_of(request), case_id)
    form = PlanLadderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Those settings were not saved: minutes must be 1 to 240."))
        return redirect(f"/staff/cases/{case.pk}/#journey")
    actions.set_plan_ladder(
        case,
        to_duty=form.cleaned_data["to_duty"],
        to_team=form.cleaned_data["to_team"],
        actor=staff_of(request),
    )
    messages.success(request, _("Escalation times for this journey saved."))
    return redirect(f"/staff/cases/{case.pk}/#journey")
