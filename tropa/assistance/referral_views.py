"""Referral pages: refer from a case, a referral's own page (consent, status,
next appointment, sessions), and the coordinators' list of the team's open
referrals. Access as for the case (404 otherwise); session notes only for
those their seal names."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role
from tropa.assistance import directory, queries, referrals
from tropa.assistance.directory_forms import ConsentForm, ReferralForm, SessionForm, StatusForm
from tropa.assistance.models import (
    OPEN_REFERRAL,
    Entry,
    EntryType,
    Referral,
    ReferralStatus,
    ServiceKind,
)
from tropa.cases import actions as case_actions
from tropa.cases.models import Case
from tropa.core import clock
from tropa.keyring.actions import NoAccess


def _services(request: HttpRequest) -> list[tuple[str, str]]:
    try:
        keys = directory.opened(_staff(request), _keys(request))
    except (NoAccess, vault.CannotOpen):
        return []
    rows = Entry.objects.filter(type=EntryType.SERVICE, removed=False)
    opened = directory.read(list(rows), keys)
    return sorted(((str(o.entry.pk), o.name) for o in opened), key=lambda s: s[1].lower())


def new_referral(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    form = ReferralForm(request.POST or None, services=_services(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = Entry.objects.filter(pk=data["service"] or None, type=EntryType.SERVICE).first()
        try:
            referral = referrals.refer(
                case,
                service,
                data["kind"],
                staff,
                _keys(request),
                referrals.ReferralText(notes=data["notes"]),
            )
        except referrals.Refused as refused:
            form.add_error(None, str(refused))
        except (NoAccess, vault.CannotOpen):
            messages.error(request, _("You hold no key for this case."))
            return redirect("cases:case", case_id=case.pk)
        else:
            messages.success(request, _("Referral proposed. Record the person's consent next."))
            return redirect("assistance:referral", case_id=case.pk, referral_id=referral.pk)
    return render(request, "assistance/referral_new.html", {"case": case, "form": form})


def _referral_of(case: Case, referral_id: uuid.UUID) -> Referral:
    referral = Referral.objects.filter(pk=referral_id, case=case).first()
    if referral is None:
        raise Http404
    referral.case = case
    return referral


def referral(request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    found = _referral_of(case, referral_id)
    if request.method == "POST":
        return _post(request, case, found)
    return _page(request, case, found)


def _page(
    request: HttpRequest, case: Case, found: Referral, http_status: int = 200, **bound: Any
) -> HttpResponse:
    staff = _staff(request)
    try:
        keys = case_actions.open_case(case, staff, _keys(request))
    except (NoAccess, vault.CannotOpen):
        messages.error(request, _("You hold no key for this case."))
        return redirect("cases:case", case_id=case.pk)
    text = referrals.read_text(found, keys)
    sessions = [
        (s, referrals.read_note(s, _keys(request))) for s in found.sessions.order_by("-held_on")
    ]
    psychological = found.kind in (ServiceKind.PSYCHOLOGIST, ServiceKind.PSYCHIATRIST)
    context = {
        "case": case,
        "referral": found,
        "text": text,
        "service": _service_name(request, found),
        "consent_form": bound.get("consent")
        or ConsentForm(initial={"consent_scope": text.consent_scope}),
        "status_form": bound.get("status")
        or StatusForm(
            initial={
                "status": found.status,
                "shared": text.shared,
                "notes": text.notes,
                "next_date": found.next_date,
            }
        ),
        "session_form": bound.get("session")
        or SessionForm(initial={"held_on": clock.now().date()}),
        "sessions": sessions,
        "psychological": psychological,
    }
    return render(request, "assistance/referral.html", context, status=http_status)


def _service_name(request: HttpRequest, found: Referral) -> str:
    if found.service is None:
        return ""
    try:
        keys = directory.opened(_staff(request), _keys(request))
    except (NoAccess, vault.CannotOpen):
        return ""
    return directory.read([found.service], keys)[0].name


def _post(request: HttpRequest, case: Case, found: Referral) -> HttpResponse:
    staff, keys = _staff(request), _keys(request)
    what = request.POST.get("form", "")
    try:
        current = referrals.read_text(found, case_actions.open_case(case, staff, keys))
        if what == "consent":
            form: Any = ConsentForm(request.POST)
            if form.is_valid():
                current.consent_scope = form.cleaned_data["consent_scope"]
                referrals.record_consent(found, staff, keys, current)
        elif what == "status":
            form = StatusForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                current.shared, current.notes = data["shared"], data["notes"]
                referrals.move(found, data["status"], staff, keys, current, data["next_date"])
        elif what == "session":
            form = SessionForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                referrals.record_session(
                    found, data["held_on"], data["minutes"], data["note"], staff
                )
        else:
            raise Http404
    except referrals.Refused as refused:
        form.add_error(None, str(refused))
    except (NoAccess, vault.CannotOpen):
        messages.error(request, _("You hold no key for this case."))
        return redirect("cases:case", case_id=case.pk)
    if form.errors:
        return _page(request, case, found, http_status=400, **{what: form})
    messages.success(request, _("Referral saved."))
    return redirect("assistance:referral", case_id=case.pk, referral_id=found.pk)


@roles_only(Role.COORDINATOR, Role.CONSULTANT)
def team_referrals(request: HttpRequest) -> HttpResponse:
    """Open referrals of the team (my cases', for a consultant) by next date,
    and those with no answer from the partner for 7 days."""
    staff = _staff(request)
    mine = queries.work_cases(staff).values("pk")
    open_ = Referral.objects.filter(case_id__in=mine, status__in=OPEN_REFERRAL).select_related(
        "case"
    )
    quiet_since = clock.now() - referrals.NO_ANSWER_AFTER
    unanswered = Referral.objects.filter(case_id__in=mine).filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.NO_ANSWER], status_at__lt=quiet_since
    )
    return render(
        request,
        "assistance/referrals.html",
        {
            "rows": open_.order_by("next_date", "status_at"),
            "unanswered": unanswered.select_related("case").order_by("status_at"),
        },
    )
