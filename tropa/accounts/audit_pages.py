"""Admins browse the audit log and verify its chain. Entries hold no case content."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

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
SHORT_ID = re.compile(r"[0-9a-f]{4,8}")
FOLD_WITHIN = timedelta(minutes=10)


@dataclass
class Row:
    entry: Entry
    times: int = 1  # "opened a case" entries folded into this one
    since: datetime | None = None  # the earliest of them


def fold_views(entries: list[Entry]) -> list[Row]:
    """Entries newest first; one person opening one case again and again within
    ten minutes is one row ("×3"). The chain still holds each entry."""
    rows: list[Row] = []
    for entry in entries:
        last = rows[-1] if rows else None
        if (
            last is not None
            and entry.action == Action.CASE_VIEWED
            and last.entry.action == Action.CASE_VIEWED
            and entry.actor_id == last.entry.actor_id
            and entry.case_id == last.entry.case_id
            and (last.since or last.entry.at) - entry.at <= FOLD_WITHIN
        ):
            last.times += 1
            last.since = entry.at
            continue
        rows.append(Row(entry))
    return rows


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
    case = request.GET.get("case", "").strip().lower().replace("\x00", "")[:36]
    if case:
        if SHORT_ID.fullmatch(case):  # the 8 characters shown everywhere
            entries = entries.filter(case_id__startswith=case)
        else:
            try:
                entries = entries.filter(case_id=uuid.UUID(case))
            except ValueError:
                messages.error(request, _("That is not a case id."))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": fold_views(list(page.object_list)),
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
