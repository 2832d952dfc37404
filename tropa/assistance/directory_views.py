"""The directory pages: the list (everyone with case work reads), an entry
(coordinators edit; a route point shows the journeys through it), and the
route points of a case's journey.

Views parse, check, call tropa/assistance/directory.py and redirect. The
directory key is opened with the viewer's own key on every page that shows
an entry; someone without a copy yet is told to ask a colleague to open the
directory once (which gives everyone a copy).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role
from tropa.assistance import directory, queries
from tropa.assistance.directory_forms import LegPointsForm, PointForm, ServiceForm
from tropa.assistance.models import Entry, EntryType, LegPoint
from tropa.cases.access import visible_cases
from tropa.core import languages
from tropa.journeys.models import Leg, LegStatus
from tropa.keyring.actions import NoAccess

FORMS = {EntryType.SERVICE: ServiceForm, EntryType.ROUTE_POINT: PointForm}


def _no_copy(request: HttpRequest) -> HttpResponse:
    return render(request, "assistance/directory_locked.html", status=403)


def _entries(keys: vault.KeyPair, kind: str = "") -> list[directory.Opened]:
    rows = Entry.objects.filter(removed=False).order_by("type", "verified_on")
    if kind:
        rows = rows.filter(type=kind)
    return sorted(directory.read(list(rows), keys), key=lambda o: (o.entry.type, o.name.lower()))


@roles_only(Role.CONSULTANT, Role.COORDINATOR)
def listing(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    try:
        keys = directory.opened(staff, _keys(request))
    except (NoAccess, vault.CannotOpen):
        return _no_copy(request)
    kind = request.GET.get("type", "")
    entries = _entries(keys, kind if kind in EntryType.values else "")
    if request.GET.get("stale"):
        entries = [e for e in entries if e.stale]
    language = request.GET.get("language", "")
    if language in languages.CODES:  # interpreters and services who speak it
        entries = [e for e in entries if languages.named_in(language, e.data.get("languages", ""))]
    context = {
        "entries": entries,
        "edit": directory.may_edit(staff),
        "type": kind,
        "language": language,
        "languages": languages.REQUESTER,
    }
    return render(request, "assistance/directory.html", context)


def _entry_of(entry_id: uuid.UUID) -> Entry:
    entry = Entry.objects.filter(pk=entry_id, removed=False).first()
    if entry is None:
        raise Http404
    return entry


@roles_only(Role.CONSULTANT, Role.COORDINATOR)
def entry(request: HttpRequest, entry_id: uuid.UUID | None = None, kind: str = "") -> HttpResponse:
    """An entry's page; coordinators edit it (or make a new one of `kind`)."""
    staff = _staff(request)
    found = _entry_of(entry_id) if entry_id else None
    kind = found.type if found else kind
    if kind not in FORMS:
        raise Http404
    try:
        keys = directory.opened(staff, _keys(request))
    except (NoAccess, vault.CannotOpen):
        return _no_copy(request)
    data = directory.read([found], keys)[0].data if found else {}
    initial = {**data, "verified_on": found.verified_on if found else None}
    form = FORMS[kind](request.POST or None, initial=initial)
    if request.method == "POST":
        if not directory.may_edit(staff):
            raise Http404
        if form.is_valid():
            fields = {k: str(v) for k, v in form.cleaned_data.items() if k != "verified_on"}
            try:
                saved = directory.save_entry(
                    found, kind, fields, staff, _keys(request), form.cleaned_data["verified_on"]
                )
            except directory.Refused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Directory entry saved."))
                return redirect("assistance:entry", entry_id=saved.pk)
    journeys = []
    if found is not None and found.type == EntryType.ROUTE_POINT:
        legs = Leg.objects.filter(
            pk__in=LegPoint.objects.filter(point=found).values("leg_id"),
            status__in=[LegStatus.ACTIVE, LegStatus.PLANNED],
            plan__case__in=visible_cases(staff),
        ).select_related("plan__case")
        journeys = list(legs)
    return render(
        request,
        "assistance/entry.html",
        {
            "entry": found,
            "kind": kind,
            "form": form,
            "data": data,
            "edit": directory.may_edit(staff),
            "journeys": journeys,
        },
        status=400 if form.errors else 200,
    )


@roles_only(Role.COORDINATOR)
def remove(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    directory.remove_entry(_entry_of(entry_id), _staff(request))
    messages.success(request, _("Directory entry removed."))
    return redirect("assistance:directory")


def route_points(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Which route points each leg of the case's journey passes."""
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    try:
        keys = directory.opened(staff, _keys(request))
    except (NoAccess, vault.CannotOpen):
        return _no_copy(request)
    points = [(str(o.entry.pk), o.name) for o in _entries(keys, EntryType.ROUTE_POINT)]
    legs = list(Leg.objects.filter(plan__case=case).order_by("position"))
    labels = [(str(leg.pk), _("Leg %(n)s") % {"n": leg.position}) for leg in legs]
    current = {
        str(leg.pk): [
            str(p) for p in LegPoint.objects.filter(leg=leg).values_list("point_id", flat=True)
        ]
        for leg in legs
    }
    form = LegPointsForm(request.POST or None, legs=labels, points=points, initial=current)
    if request.method == "POST" and form.is_valid():
        for leg in legs:
            chosen = Entry.objects.filter(
                pk__in=form.cleaned_data[str(leg.pk)], type=EntryType.ROUTE_POINT
            )
            directory.set_leg_points(leg, list(chosen), staff)
        messages.success(request, _("Route points saved."))
        response = redirect("cases:case", case_id=case.pk)
        response["Location"] += "#journey"
        return response
    return render(request, "assistance/route_points.html", {"case": case, "form": form})
