"""The parts of a staff member's admin page that move case keys: team and re-sharing.

They live in cases, not accounts, because what a person may hold depends on
cases and assignments (tropa/cases/staffing.py). The URLs sit beside the
account actions (`/staff/people/<id>/team/`, `.../regrant/`).
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from tropa.accounts.current import keys_of, roles_only, staff_of
from tropa.accounts.models import Role, Team
from tropa.accounts.staff_admin import get_staff_for
from tropa.cases import danger, staffing


class TeamChangeForm(forms.Form):
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.order_by("name"),
        error_messages={
            "required": gettext_lazy("Choose a team."),
            "invalid_choice": gettext_lazy("Choose a team."),
        },
    )
    keep_assignments = forms.BooleanField(
        label=gettext_lazy("Keep them on their cases of the old team"), required=False
    )


@require_POST
@roles_only(Role.ADMIN)
def person_team(request: HttpRequest, staff_id: uuid.UUID) -> HttpResponse:
    staff = get_staff_for(staff_of(request), staff_id)
    form = TeamChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a team."))
        return redirect("accounts:person", staff_id=staff.pk)
    revoked = staffing.change_team(
        staff,
        form.cleaned_data["team"],
        actor=staff_of(request),
        keep_assignments=form.cleaned_data["keep_assignments"],
    )
    messages.success(
        request,
        _("Team changed. A coordinator of the team shares its case keys from this page."),
    )
    if revoked:
        messages.info(
            request,
            ngettext(
                "%(count)d case key they no longer need was deleted.",
                "%(count)d case keys they no longer need were deleted.",
                revoked,
            )
            % {"count": revoked},
        )
    return redirect("accounts:person", staff_id=staff.pk)


@require_POST
@roles_only(Role.ADMIN, Role.COORDINATOR)
def person_regrant(request: HttpRequest, staff_id: uuid.UUID) -> HttpResponse:
    viewer = staff_of(request)
    staff = get_staff_for(viewer, staff_id)
    count = staffing.regrant_access(staff, viewer, keys_of(request))
    messages.info(
        request,
        ngettext("Shared %(count)d key again.", "Shared %(count)d keys again.", count)
        % {"count": count},
    )
    return redirect("accounts:person", staff_id=staff.pk)


@require_POST
@roles_only(Role.ADMIN, Role.COORDINATOR)
def person_danger(request: HttpRequest, staff_id: uuid.UUID) -> HttpResponse:
    """ "Staff member in danger": confirmed by typing their name (no JavaScript)."""
    viewer = staff_of(request)
    staff = get_staff_for(viewer, staff_id)
    if not danger.may_mark(viewer, staff):
        raise Http404
    if request.POST.get("confirm", "").strip().lower() != staff.username:
        messages.error(request, _("Type the person's name exactly to confirm. Nothing was done."))
        return redirect("accounts:person", staff_id=staff.pk)
    marked = danger.mark_in_danger(staff, actor=viewer)
    messages.success(
        request,
        _(
            "%(name)s is disabled, signed out everywhere, and holds no key any more "
            "(%(copies)d copies deleted). %(cases)d open cases need someone new: they are "
            "on the home page as unassigned. The team's coordinators were alerted."
        )
        % {"name": staff.username, "copies": marked.copies_deleted, "cases": len(marked.cases)},
    )
    if marked.orphans:
        messages.warning(
            request,
            _(
                "%(count)d of those cases no one else can open now. An admin restores them to "
                "a coordinator of the team with the recovery key: tropa recover NAME --orphans"
            )
            % {"count": marked.orphans},
        )
    return redirect("accounts:person", staff_id=staff.pk)
