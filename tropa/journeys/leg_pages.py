"""Pages of one leg, and the case's duress warning: edit or delete a planned
leg, confirm a failure (a second form: no JavaScript needed), undo a mistaken
failure within the hour, and clear a duress warning with a reason.

Views parse, check (a case the viewer may not see, or a plan they may not
edit, is a 404; undo and clear are for the team's coordinators), call an
action and redirect. Bad input renders the page again with what was typed.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import staff_of as _staff
from tropa.cases import actions as case_actions
from tropa.cases.access import can_manage
from tropa.cases.case_page import no_key, render_case_page
from tropa.cases.models import Case
from tropa.journeys import legs, marks
from tropa.journeys.forms import ClearDuressForm, ConfirmFailForm, LegForm
from tropa.journeys.models import Leg, LegStatus
from tropa.journeys.queries import plan_case_for
from tropa.journeys.views import back_to_plan, leg_of
from tropa.keyring.actions import NoAccess


def _managed(request: HttpRequest, case_id: uuid.UUID) -> Case:
    case = plan_case_for(_staff(request), case_id)
    if not can_manage(_staff(request), case):
        raise Http404
    return case


def _initial(text: legs.LegText, leg: Leg) -> dict[str, object]:
    return {
        **text.__dict__,
        "risk": leg.risk,
        "planned_start": leg.planned_start,
        "planned_end": leg.planned_end,
        "checkin_every_hours": leg.checkin_every_hours,
        "grace_minutes": leg.grace_minutes,
    }


def edit_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    """A planned leg's own page: change it, or delete it."""
    staff = _staff(request)
    case = plan_case_for(staff, case_id)
    leg = leg_of(case, leg_id)
    if leg.status != LegStatus.PLANNED:
        messages.error(request, _("Only a leg that has not started can be changed."))
        return back_to_plan(case)
    try:
        keys = case_actions.open_case(case, staff, _keys(request))
        text = legs.read_leg(leg, keys)
    except (NoAccess, vault.CannotOpen):
        no_key(request)
        return back_to_plan(case)
    form = LegForm(request.POST or None, initial=_initial(text, leg))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            legs.edit_leg(
                leg,
                staff,
                _keys(request),
                legs.LegText(
                    data["title"], data["details"], data["risk_notes"], data["backup_plan"]
                ),
                legs.LegPlan(
                    data["risk"],
                    data["planned_start"],
                    data["planned_end"],
                    data["checkin_every_hours"],
                    data["grace_minutes"],
                ),
            )
        except case_actions.NotAllowed:
            messages.error(request, _("Only a leg that has not started can be changed."))
            return back_to_plan(case)
        messages.success(request, _("Leg saved."))
        return back_to_plan(case)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "journeys/leg_edit.html", {"case": case, "leg": leg, "form": form}, status=status
    )


@require_POST
def delete_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    case = plan_case_for(_staff(request), case_id)
    leg = leg_of(case, leg_id)
    try:
        legs.delete_leg(leg, _staff(request))
    except case_actions.NotAllowed:
        messages.error(request, _("Only a leg that has not started can be deleted."))
        return back_to_plan(case)
    messages.success(request, _("Leg deleted."))
    return back_to_plan(case)


def fail_leg(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    """Asks first; the backup plan comes up once the box is ticked."""
    case = plan_case_for(_staff(request), case_id)
    leg = leg_of(case, leg_id)
    if leg.status not in (LegStatus.PLANNED, LegStatus.ACTIVE):
        messages.error(request, _("This leg is already finished."))
        return back_to_plan(case)
    form = ConfirmFailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            legs.fail_leg(leg, _staff(request), _keys(request))
        except (NoAccess, vault.CannotOpen):
            no_key(request)
            return back_to_plan(case)
        messages.warning(request, _("The leg failed. Its backup plan is at the top of the page."))
        return back_to_plan(case, "journey-backup")
    status = 400 if request.method == "POST" else 200
    context = {"case": case, "leg": leg, "form": form}
    return render(request, "journeys/leg_fail.html", context, status=status)


@require_POST
def undo_failure(request: HttpRequest, case_id: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    case = _managed(request, case_id)
    leg = leg_of(case, leg_id)
    try:
        legs.undo_failure(leg, _staff(request))
    except case_actions.NotAllowed:
        messages.error(request, _("A failure can be undone only within an hour."))
        return back_to_plan(case)
    messages.success(request, _("The failure is undone; the backup plan's tasks stay."))
    return back_to_plan(case)


@require_POST
def clear_duress(request: HttpRequest, case_id: uuid.UUID, checkin_id: int) -> HttpResponse:
    case = _managed(request, case_id)
    form = ClearDuressForm(request.POST)
    if not form.is_valid():
        return render_case_page(request, case, status=400, clear_form=form)
    try:
        marks.clear_duress(
            case, checkin_id, _staff(request), _keys(request), form.cleaned_data["reason"]
        )
    except NoAccess:
        no_key(request)
        return back_to_plan(case, "duress-marks")
    except case_actions.NotAllowed:
        raise Http404 from None
    messages.success(request, _("The duress warning is cleared. The case history keeps it."))
    return back_to_plan(case)
