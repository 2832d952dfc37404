"""Admins browse the audit log and verify its chain. Entries hold no case content."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.current import roles_only
from tropa.accounts.models import Role, Staff
from tropa.audit.log import verify
from tropa.audit.models import Action, Entry

PAGE_SIZE = 100


@roles_only(Role.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = Entry.objects.select_related("actor", "target_staff").order_by("-seq")
    action = request.GET.get("action", "")
    if action in Action.values:
        entries = entries.filter(action=action)
    # A name holds no NUL (PostgreSQL refuses one in a query: a 500 otherwise).
    staff_name = request.GET.get("staff", "").strip().lower().replace("\x00", "")[:40]
    if staff_name:
        entries = entries.filter(actor__username=staff_name) | entries.filter(
            target_staff__username=staff_name
        )
    case = request.GET.get("case", "").strip()
    if case:
        try:
            entries = entries.filter(case_id=uuid.UUID(case))
        except ValueError:
            messages.error(request, _("That is not a case id."))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "actions": Action.choices,
        "chosen_action": action,
        "staff_name": staff_name,
        "case": case,
        "people": Staff.objects.order_by("username").values_list("username", flat=True),
    }
    return render(request, "audit/log.html", context)


@require_POST
@roles_only(Role.ADMIN)
def verify_chain(request: HttpRequest) -> HttpResponse:
    verdict = verify()
    if verdict.ok:
        messages.success(
            request, _("The audit chain is intact: %(count)d entries.") % {"count": verdict.checked}
        )
    else:
        messages.error(
            request,
            _("The audit chain is broken at entry %(seq)d.") % {"seq": verdict.broken_at or 0},
        )
    return redirect("audit:log")
