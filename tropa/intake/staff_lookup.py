"""The staff side of a codename: the coordinators' "find by codename" form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role
from tropa.intake.lookup import case_by_codename

CODENAME_MAX = 200


@roles_only(Role.COORDINATOR)
@require_POST
def codename_lookup(request: HttpRequest) -> HttpResponse:
    codename = request.POST.get("codename", "")[:CODENAME_MAX]
    case = case_by_codename(_staff(request), codename)
    if case is None:
        messages.error(
            request,
            _("No case you can see has that codename. Ask the person to read it again, slowly."),
        )
        return redirect("cases:search")
    return redirect("cases:case", case_id=case.pk)
