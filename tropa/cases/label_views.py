"""Labels on a case's page; a coordinator's team page: labels and response targets."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.actions import set_team_targets
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.forms import TargetsForm
from tropa.accounts.models import Role, Staff
from tropa.cases import labels
from tropa.cases.access import get_case_for
from tropa.cases.case_page import back_to_case


@require_POST
def case_labels(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Put a label on, or take one off: anyone who can see the case."""
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    raw = request.POST.get("label", "")
    if not raw.isdigit():
        messages.error(request, _("Choose a label from the list."))
        return back_to_case(case, "labels")
    if request.POST.get("remove"):
        labels.remove(case, int(raw), staff)
        return back_to_case(case, "labels")
    try:
        labels.add(case, int(raw), staff)
    except labels.LabelRefused:
        messages.error(request, _("Choose a label from the list."))
    return back_to_case(case, "labels")


def _targets_form(staff: Staff, data: object = None) -> TargetsForm:
    team = staff.team
    initial = {
        "first_hours": team.first_response_hours if team else 24,
        "next_hours": team.next_response_hours if team else 24,
        "stale_days": team.stale_after_days if team else 7,
    }
    return TargetsForm(data or None, initial=initial)  # type: ignore[arg-type]


@roles_only(Role.COORDINATOR)
@require_POST
def team_targets(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = _targets_form(staff, request.POST)
    if staff.team is None or not form.is_valid():
        context = {"labels": labels.available(staff), "typed": "", "targets": form}
        return render(request, "cases/labels.html", context, status=400)
    data = form.cleaned_data
    set_team_targets(
        staff.team,
        first_hours=data["first_hours"],
        next_hours=data["next_hours"],
        stale_days=data["stale_days"],
        actor=staff,
    )
    messages.success(request, _("Response targets saved."))
    return redirect("cases:labels")


@roles_only(Role.COORDINATOR)
def team_labels(request: HttpRequest) -> HttpResponse:
    """The built-in labels and the team's own: define and remove them."""
    staff = _staff(request)
    typed = ""
    if request.method == "POST":
        if request.POST.get("remove", "").isdigit():
            labels.undefine(int(request.POST["remove"]), staff)
            messages.success(request, _("Label removed from the team and from its cases."))
            return redirect("cases:labels")
        typed = request.POST.get("name", "")
        try:
            labels.define(typed, staff)
        except labels.LabelRefused:
            messages.error(
                request, _("Write a new name of at most 40 characters (your team needs a name).")
            )
        else:
            messages.success(request, _("Label added."))
            return redirect("cases:labels")
    context = {"labels": labels.available(staff), "typed": typed, "targets": _targets_form(staff)}
    status = 400 if typed else 200
    return render(request, "cases/labels.html", context, status=status)
