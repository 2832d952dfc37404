"""My cases, and my team's for a coordinator: plaintext metadata only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role
from tropa.cases import queries
from tropa.cases.forms import ListFilterForm
from tropa.core import clock

CASEWORK = (Role.COORDINATOR, Role.CONSULTANT)


@roles_only(*CASEWORK)
def case_list(request: HttpRequest) -> HttpResponse:
    """My cases (and my team's, for a coordinator). Plaintext metadata only."""
    filters = ListFilterForm(request.GET or None)
    cases = queries.case_list(_staff(request), filters.statuses(), filters.queue())
    page_obj = Paginator(cases, 50).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page_obj,
        "cases": page_obj.object_list,
        "now": clock.now(),
    }
    return render(request, "cases/list.html", context)
