"""The application pages: open one from a case, its own page (details, stage,
decision, dates, checklist), the list of applications, and the routes'
starting checklists.

Views parse, check (a case the viewer may not work on is a 404, as for the
case), call an action in tropa/assistance/actions.py and redirect. Bad input
renders the page again with what was typed and says what is wrong.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role, Staff
from tropa.assistance import actions, queries
from tropa.assistance.forms import (
    DateForm,
    DetailsForm,
    FilterForm,
    ItemForm,
    NewApplicationForm,
    NewItemForm,
    OutcomeForm,
    StageForm,
    TemplateForm,
)
from tropa.assistance.models import (
    ROUTE_STAGES,
    Application,
    ChecklistItem,
    DateKind,
    KeyDate,
    Route,
)
from tropa.assistance.sealing import Details
from tropa.cases import actions as case_actions
from tropa.cases.files import file_meta
from tropa.cases.models import Case
from tropa.keyring.actions import NoAccess


def _no_key(request: HttpRequest, case: Case) -> HttpResponse:
    messages.error(
        request,
        _("You hold no key for this case. Ask a coordinator to share it with you again."),
    )
    return redirect("cases:case", case_id=case.pk)


def _back(app: Application, anchor: str = "") -> HttpResponse:
    response = redirect("assistance:application", case_id=app.case_id, application_id=app.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _people(case: Case) -> list[tuple[str, str]]:
    """Who may lead an application: the staff on the case and the team's coordinators."""
    on_case = Staff.objects.filter(assignments__case=case, is_active=True)
    coordinators = Staff.objects.filter(role=Role.COORDINATOR, team_id=case.team_id, is_active=True)
    people = {s.pk: s.username for s in [*on_case, *coordinators]}
    return [(str(pk), name) for pk, name in sorted(people.items(), key=lambda p: p[1])]


def _files(case: Case, keys: vault.KeyPair) -> list[tuple[str, str]]:
    found = []
    for attachment in case.attachments.order_by("created_at"):
        meta = file_meta(attachment, keys)
        if meta is not None:
            found.append((str(attachment.pk), str(meta.get("name", attachment.pk))))
    return found


def new_application(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    form = NewApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = actions.open_application(
                case,
                staff,
                _keys(request),
                form.cleaned_data["country"],
                form.cleaned_data["route"],
                None,
            )
        except actions.Refused as refused:
            form.add_error(None, str(refused))
        except (NoAccess, vault.CannotOpen):
            return _no_key(request, case)
        else:
            messages.success(request, _("Application opened. Its checklist is ready to fill."))
            return _back(app)
    return render(request, "assistance/new.html", {"case": case, "form": form})


def application(
    request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID
) -> HttpResponse:
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    app = queries.application_for(staff, case, application_id)
    return _page(request, case, app)


def _page(
    request: HttpRequest, case: Case, app: Application, status: int = 200, **bound: Any
) -> HttpResponse:
    staff = _staff(request)
    try:
        keys = case_actions.open_case(case, staff, _keys(request))
    except (NoAccess, vault.CannotOpen):
        return _no_key(request, case)
    details = actions.read_details(app, keys)
    files = _files(case, keys)
    dates = {d.kind: d for d in KeyDate.objects.filter(application=app)}
    date_forms = [
        (
            kind,
            label,
            dates.get(kind),
            bound.get(f"date_{kind}")
            or DateForm(prefix=kind, initial={"on": dates[kind].on if kind in dates else None}),
        )
        for kind, label in DateKind.choices
    ]
    items = []
    for item in ChecklistItem.objects.filter(application=app).select_related("attachment"):
        form = bound.get(f"item_{item.pk}") or ItemForm(
            prefix=f"i{item.pk}",
            files=files,
            initial={
                "status": item.status,
                "note": actions.read_item(item, keys).note,
                "attachment": str(item.attachment_id or ""),
            },
        )
        items.append((item, actions.read_item(item, keys), form))
    context = {
        "case": case,
        "app": app,
        "row": queries.row(app, queries.today()),
        "details_form": bound.get("details")
        or DetailsForm(
            people=_people(case),
            initial={**details.__dict__, "lead": str(app.lead_id or "")},
        ),
        "stage_form": bound.get("stage")
        or StageForm(stages=list(ROUTE_STAGES[app.route]), initial={"stage": app.stage}),
        "outcome_form": bound.get("outcome") or OutcomeForm(initial={"outcome": app.outcome}),
        "date_forms": date_forms,
        "items": items,
        "new_item_form": bound.get("new_item") or NewItemForm(),
    }
    return render(request, "assistance/application.html", context, status=status)


def _writable(request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID):  # type: ignore[no-untyped-def]
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    return staff, case, queries.application_for(staff, case, application_id)


@require_POST
def save_details(
    request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID
) -> HttpResponse:
    staff, case, app = _writable(request, case_id, application_id)
    form = DetailsForm(request.POST, people=_people(case))
    if not form.is_valid():
        return _page(request, case, app, status=400, details=form)
    data = form.cleaned_data
    lead = Staff.objects.filter(pk=data["lead"]).first()
    try:
        actions.save_details(
            app,
            staff,
            _keys(request),
            Details(data["office"], data["references"], data["appointment"], data["notes"]),
            lead,
        )
    except actions.Refused as refused:
        form.add_error(None, str(refused))
        return _page(request, case, app, status=400, details=form)
    except (NoAccess, vault.CannotOpen):
        return _no_key(request, case)
    messages.success(request, _("Application saved."))
    return _back(app, "details")


@require_POST
def move_stage(request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID) -> HttpResponse:
    staff, case, app = _writable(request, case_id, application_id)
    form = StageForm(request.POST, stages=list(ROUTE_STAGES[app.route]))
    if form.is_valid():
        try:
            actions.move_stage(
                app, form.cleaned_data["stage"], staff, _keys(request), form.cleaned_data["reason"]
            )
        except actions.Refused as refused:
            form.add_error("reason", str(refused))
        except (NoAccess, vault.CannotOpen):
            return _no_key(request, case)
        else:
            messages.success(request, _("Stage changed."))
            return _back(app, "stage")
    return _page(request, case, app, status=400, stage=form)


@require_POST
def decide(request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID) -> HttpResponse:
    staff, case, app = _writable(request, case_id, application_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            actions.decide(app, form.cleaned_data["outcome"], staff, _keys(request))
        except (NoAccess, vault.CannotOpen):
            return _no_key(request, case)
        messages.success(request, _("Decision recorded."))
        return _back(app, "stage")
    return _page(request, case, app, status=400, outcome=form)


@require_POST
def set_date(
    request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID, kind: str
) -> HttpResponse:
    staff, case, app = _writable(request, case_id, application_id)
    if kind not in DateKind.values:
        raise Http404
    form = DateForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            actions.set_date(app, kind, form.cleaned_data["on"], staff, _keys(request))
        except actions.Refused as refused:
            form.add_error("on", str(refused))
        except (NoAccess, vault.CannotOpen):
            return _no_key(request, case)
        else:
            messages.success(request, _("Date saved; its task follows it."))
            return _back(app, "dates")
    return _page(request, case, app, status=400, **{f"date_{kind}": form})


def _item_of(app: Application, item_id: int) -> ChecklistItem:
    item = ChecklistItem.objects.filter(pk=item_id, application=app).first()
    if item is None:
        raise Http404
    item.application = app
    return item


@require_POST
def add_item(request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID) -> HttpResponse:
    staff, case, app = _writable(request, case_id, application_id)
    form = NewItemForm(request.POST)
    if form.is_valid():
        try:
            actions.add_item(app, staff, _keys(request), form.cleaned_data["title"])
        except actions.Refused as refused:
            form.add_error("title", str(refused))
        except (NoAccess, vault.CannotOpen):
            return _no_key(request, case)
        else:
            return _back(app, "checklist")
    return _page(request, case, app, status=400, new_item=form)


@require_POST
def change_item(
    request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID, item_id: int
) -> HttpResponse:
    staff, case, app = _writable(request, case_id, application_id)
    item = _item_of(app, item_id)
    try:
        keys = case_actions.open_case(case, staff, _keys(request))
    except (NoAccess, vault.CannotOpen):
        return _no_key(request, case)
    form = ItemForm(request.POST, prefix=f"i{item.pk}", files=_files(case, keys))
    if form.is_valid():
        data = form.cleaned_data
        attachment = (
            case.attachments.filter(pk=data["attachment"]).first() if data["attachment"] else None
        )
        try:
            actions.change_item(
                item,
                staff,
                _keys(request),
                actions.ItemChange(data["status"], data["note"], attachment),
            )
        except actions.Refused as refused:
            form.add_error(None, str(refused))
        else:
            return _back(app, f"item-{item.pk}")
    return _page(request, case, app, status=400, **{f"item_{item.pk}": form})


@require_POST
def remove_item(
    request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID, item_id: int
) -> HttpResponse:
    staff, _case, app = _writable(request, case_id, application_id)
    actions.remove_item(_item_of(app, item_id), staff)
    return _back(app, "checklist")


@roles_only(Role.CONSULTANT, Role.COORDINATOR)
def applications(request: HttpRequest) -> HttpResponse:
    """Every application of the team (a coordinator) or of my cases, by next date."""
    staff = _staff(request)
    form = FilterForm(request.GET or None)
    filters = queries.Filters()
    if form.is_valid():
        data = form.cleaned_data
        filters = queries.Filters(
            data["country"], data["route"], data["stage"], data["needs_action"], not data["closed"]
        )
    apps = queries.listing(staff, filters)
    page = Paginator(apps, 50).get_page(request.GET.get("page"))
    now = queries.today()
    return render(
        request,
        "assistance/applications.html",
        {
            "form": form,
            "page": page,
            "rows": [queries.row(app, now) for app in page.object_list],
            "total": page.paginator.count,
            "needing": queries.listing(staff, queries.Filters(needs_action=True)).count(),
            "query": request.GET.urlencode(),
        },
    )


@roles_only(Role.COORDINATOR)
def checklists(request: HttpRequest) -> HttpResponse:
    """Each route's starting checklist; one form per route, saved on its own."""
    staff = _staff(request)
    posted = request.POST.get("route", "") if request.method == "POST" else ""
    forms = []
    for route, label in Route.choices:
        if route == posted:
            form = TemplateForm(request.POST, prefix=route)
            if form.is_valid():
                try:
                    actions.save_template(route, form.cleaned_data["titles"].splitlines(), staff)
                except actions.Refused as refused:
                    form.add_error("titles", str(refused))
                else:
                    messages.success(request, _("Checklist saved for new applications."))
                    return redirect("assistance:checklists")
        else:
            titles = "\n".join(actions.template_titles(route))
            form = TemplateForm(prefix=route, initial={"titles": titles})
        forms.append((route, label, form))
    status = 400 if posted else 200
    return render(request, "assistance/checklists.html", {"forms": forms}, status=status)
