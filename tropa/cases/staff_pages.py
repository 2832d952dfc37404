"""The parts of a staff member's admin page that move case keys: team and re-sharing.

They live in cases, not accounts, because what a person may hold depends on
cases and assignments (tropa/cases/staffing.py). The URLs sit beside the
account actions (`/staff/people/<id>/team/`, `.../regrant/`).
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from tropa.accounts.current import keys_of, roles_only, staff_of
from tropa.accounts.models import Role, Team
from tropa.accounts.staff_admin import get_staff_for
from tropa.cases import staffing


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
