"""Escalation settings: the team's duty coordinator and ladder, a plan's overrides."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tropa.accounts.models import Role, Staff
from tropa.accounts.people import roles_only
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases.models import Team
from tropa.journeys.actions import plan_for

MINUTES = {"min_value": 1, "max_value": 240}


class TeamLadderForm(forms.Form):
    duty_coordinator = forms.ModelChoiceField(
        label=gettext_lazy("Duty coordinator"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=gettext_lazy("Told at the second step. Empty: every coordinator of the team."),
    )
    to_duty = forms.IntegerField(
        label=gettext_lazy("Minutes until the duty coordinator is told"), **MINUTES
    )
    to_team = forms.IntegerField(
        label=gettext_lazy("Minutes more until every coordinator is told"), **MINUTES
    )

    def __init__(self, team: Team, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["duty_coordinator"].queryset = Staff.objects.filter(  # type: ignore[attr-defined]
            team=team, role=Role.COORDINATOR, is_active=True
        )


class PlanLadderForm(forms.Form):
    to_duty = forms.IntegerField(
        label=gettext_lazy("Minutes until the duty coordinator is told"), required=False, **MINUTES
    )
    to_team = forms.IntegerField(
        label=gettext_lazy("Minutes more until every coordinator is told"),
        required=False,
        **MINUTES,
    )


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
        team.duty_coordinator = form.cleaned_data["duty_coordinator"]
        team.escalate_to_duty_minutes = form.cleaned_data["to_duty"]
        team.escalate_to_team_minutes = form.cleaned_data["to_team"]
        team.save(
            update_fields=[
                "duty_coordinator",
                "escalate_to_duty_minutes",
                "escalate_to_team_minutes",
            ]
        )
        record(staff, Action.PLAN_CHANGED)
        messages.success(request, _("Escalation settings saved."))
    else:
        messages.error(request, _("Those settings were not saved: minutes must be 1 to 240."))
    return redirect("journeys:journeys")


@require_POST
def plan_ladder(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    from tropa.journeys.views import _plan_case

    case = _plan_case(request, case_id)
    form = PlanLadderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Those settings were not saved: minutes must be 1 to 240."))
        return redirect(f"/staff/cases/{case.pk}/#journey")
    plan = plan_for(case)
    plan.to_duty_minutes = form.cleaned_data["to_duty"]
    plan.to_team_minutes = form.cleaned_data["to_team"]
    plan.save(update_fields=["to_duty_minutes", "to_team_minutes"])
    record(request.user, Action.PLAN_CHANGED, case_id=case.pk)  # type: ignore[arg-type]
    messages.success(request, _("Escalation times for this journey saved."))
    return redirect(f"/staff/cases/{case.pk}/#journey")
