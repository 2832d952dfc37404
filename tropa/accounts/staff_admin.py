"""Admin pages: list, create, disable staff, reset two-factor and passwords."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.accounts import actions
from tropa.accounts.current import roles_only, staff_of
from tropa.accounts.forms import StaffCreateForm, TeamForm
from tropa.accounts.keys import needs_intake_grant
from tropa.accounts.models import Profession, Role, Staff, Team
from tropa.accounts.signin import is_locked
from tropa.core.views import posted
from tropa.keyring import actions as keyring


def get_staff_for(viewer: Staff, staff_id: uuid.UUID) -> Staff:
    if viewer.role not in (Role.ADMIN, Role.COORDINATOR):
        raise Http404
    staff = Staff.objects.filter(pk=staff_id).first()
    if staff is None:
        raise Http404
    return staff


@roles_only(Role.ADMIN, Role.COORDINATOR)
def people(request: HttpRequest) -> HttpResponse:
    rows = Staff.objects.annotate(
        enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    ).order_by("-is_active", "role", "username")
    return render(request, "accounts/people.html", {"people": rows})


@roles_only(Role.ADMIN)
def person_new(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        password = actions.generate_temporary_password()
        try:
            staff = actions.create_staff(
                username=form.cleaned_data["username"],
                password=password,
                role=form.cleaned_data["role"],
                language=form.cleaned_data["language"],
                team=form.cleaned_data["team"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown once, in this very response: a temporary password is never stored,
            # not even in the session (a stale session row outlives its use).
            return _person_page(request, staff, new_password=password)
    return render(request, "accounts/person_new.html", {"form": form})


@roles_only(Role.ADMIN)
def teams(request: HttpRequest) -> HttpResponse:

    form = TeamForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.create_team(form.cleaned_data["name"], actor=staff_of(request))
        messages.success(request, _("Team created."))
        return redirect("accounts:teams")
    rows = Team.objects.annotate(people=Count("staff", distinct=True)).order_by("name")
    return render(request, "accounts/teams.html", {"form": form, "teams": rows})


@roles_only(Role.ADMIN, Role.COORDINATOR)
def person(request: HttpRequest, staff_id: uuid.UUID) -> HttpResponse:
    return _person_page(request, get_staff_for(staff_of(request), staff_id))


def _person_page(request: HttpRequest, staff: Staff, new_password: str = "") -> HttpResponse:
    context = {
        "person": staff,
        "new_password": new_password,
        "enrolled": TOTPDevice.objects.filter(user=staff, confirmed=True).exists(),
        "locked": is_locked(staff.username),
        "stale_count": len(list(keyring.stale_envelopes(staff))),
        "needs_intake": needs_intake_grant(staff),
        "teams": Team.objects.order_by("name"),
        "professions": Profession.choices,
    }
    return render(request, "accounts/person.html", context)


@require_POST
@roles_only(Role.ADMIN, Role.COORDINATOR)
def person_action(request: HttpRequest, staff_id: uuid.UUID, action: str) -> HttpResponse:
    viewer: Staff = request.user  # type: ignore[assignment]
    staff = get_staff_for(viewer, staff_id)
    if viewer.role != Role.ADMIN:
        raise Http404
    if staff.pk == viewer.pk and action in {"disable", "reset-2fa", "reset-password"}:
        messages.error(request, _("You cannot do that to your own account."))
    elif action == "disable":
        actions.set_active(staff, False, viewer)
        messages.success(request, _("The account is disabled and its sessions ended."))
    elif action == "enable":
        actions.set_active(staff, True, viewer)
        messages.success(request, _("The account is enabled."))
    elif action == "reset-2fa":
        actions.reset_two_factor(staff, viewer)
        messages.success(request, _("Two-factor is reset; they enrol again at next sign-in."))
    elif action == "reset-password":
        password = actions.reset_password(staff, viewer)
        messages.warning(
            request,
            _(
                "New temporary password. Their keys are made again when they choose their own "
                "password; then their cases must be shared again, or restored with the "
                "recovery key."
            ),
        )
        return _person_page(request, staff, new_password=password)
    elif action == "unlock":
        actions.unlock(staff, viewer)
        messages.success(request, _("The account is unlocked."))
    else:
        raise Http404
    return redirect("accounts:person", staff_id=staff.pk)


@require_POST
@roles_only(Role.ADMIN, Role.COORDINATOR)
def person_profession(request: HttpRequest, staff_id: uuid.UUID) -> HttpResponse:
    viewer = staff_of(request)
    staff = get_staff_for(viewer, staff_id)
    profession = request.POST.get("profession", "")
    if profession not in Profession.values:
        messages.error(request, _("Choose a profession from the list."))
    else:
        actions.set_profession(staff, profession, viewer)
        messages.success(request, _("Profession saved."))
    return redirect("accounts:person", staff_id=staff.pk)
