"""Hold a case past its retention period, or release it (the case page's
retention part). Views parse, check, call tropa/cases/retention.py, redirect."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.current import keys_of, staff_of
from tropa.cases import actions, retention
from tropa.cases.access import get_managed_case_for
from tropa.cases.case_page import back_to_case, no_key, render_case_page
from tropa.cases.forms import HoldForm
from tropa.keyring.actions import NoAccess


@require_POST
def hold(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = get_managed_case_for(staff_of(request), case_id)
    form = HoldForm(request.POST)
    if not form.is_valid():
        return render_case_page(request, case, hold_form=form, status=400)
    try:
        keys = actions.open_case(case, staff_of(request), keys_of(request))
        retention.hold(case, staff_of(request), keys, form.cleaned_data["reason"])
    except NoAccess:
        no_key(request)
        return back_to_case(case)
    except retention.Refused:
        messages.error(request, _("This case cannot be held now."))
        return back_to_case(case, "retention")
    messages.success(request, _("The case is held: it will not be shredded until released."))
    return back_to_case(case, "retention")


@require_POST
def release(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = get_managed_case_for(staff_of(request), case_id)
    try:
        retention.release(case, staff_of(request))
    except retention.Refused:
        messages.error(request, _("This case is not held."))
        return back_to_case(case, "retention")
    messages.success(request, _("The hold is released: the retention period applies again."))
    return back_to_case(case, "retention")
