"""My cases, and my team's for a coordinator: plaintext metadata only. Filters
by status, queue ("waiting", "unread") and label; saved views; and, for
coordinators, assigning or labelling many cases at once."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role, Staff
from tropa.cases import bulk, labels, queries
from tropa.cases.forms import ListFilterForm
from tropa.core import clock

CASEWORK = (Role.COORDINATOR, Role.CONSULTANT)


def filter_form(staff: Staff, data: object) -> ListFilterForm:
    choices = [(label.pk, str(label)) for label in labels.available(staff)]
    return ListFilterForm(data or None, labels=choices)  # type: ignore[arg-type]


@roles_only(*CASEWORK)
def case_list(request: HttpRequest) -> HttpResponse:
    """My cases (and my team's, for a coordinator). Plaintext metadata only."""
    staff = _staff(request)
    filters = filter_form(staff, request.GET)
    cases = queries.case_list(staff, filters.statuses(), filters.queue(), filters.label_id())
    page_obj = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k in ("status", "label") and v})
    coordinator = staff.role == Role.COORDINATOR
    context = {
        "filters": filters,
        "page": page_obj,
        "cases": page_obj.object_list,
        "now": clock.now(),
        "query": query,
        "saved_views": staff.saved_views.order_by("name"),
        "bulk": coordinator,
        "consultants": bulk.consultants_for(staff) if coordinator else [],
        "labels": list(labels.available(staff)),
    }
    return render(request, "cases/list.html", context)


@roles_only(*CASEWORK)
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    name, query = request.POST.get("name", ""), request.POST.get("query", "")
    # Only what the filters accept is kept: a saved view is a query string of them.
    filters = filter_form(_staff(request), QueryDict(query))
    kept = filters.cleaned_data if filters.is_valid() else {}
    query = urlencode({k: v for k, v in kept.items() if v not in (None, "")})
    try:
        labels.save_view(_staff(request), name, query)
    except labels.LabelRefused:
        messages.error(request, _("Give the view a name (at most 20 views)."))
        return redirect(f"/staff/cases/?{query}")
    messages.success(request, _("View saved. It is on your home page."))
    return redirect(f"/staff/cases/?{query}")


@roles_only(*CASEWORK)
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    labels.delete_view(_staff(request), view_id)
    messages.success(request, _("View removed."))
    return redirect("cases:list")


@roles_only(Role.COORDINATOR)
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Assign or label the ticked cases: each one checked and audited on its own."""
    staff = _staff(request)
    chosen = request.POST.getlist("cases")[: bulk.MAX_BULK]
    action = request.POST.get("action", "")
    back = request.POST.get("next", "/staff/cases/")
    if not back.startswith("/staff/cases/"):
        back = "/staff/cases/"
    if not chosen:
        messages.error(request, _("Tick the cases first."))
        return redirect(back)
    if action == "assign":
        done = bulk.assign(staff, _keys(request), chosen, request.POST.get("consultant", ""))
    elif action == "label":
        done = bulk.label(staff, chosen, request.POST.get("label", ""))
    else:
        messages.error(request, _("Choose what to do with the ticked cases."))
        return redirect(back)
    if done.refused:
        messages.error(request, _("Choose a consultant or a label from the list."))
        return redirect(back)
    messages.success(
        request,
        _("Done for %(done)d of %(total)d cases.") % {"done": done.done, "total": len(chosen)},
    )
    return redirect(back)
