"""The case page: everything about one case, decrypted with the viewer's keys.

Lower sections come from the cases app itself (answers, timeline, tasks,
assignment); higher apps add theirs through `page.SECTIONS` (the journey,
registered in tropa/journeys/wiring.py). Views that write render this page
again with their bound form and errors when input is bad.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import staff_of as _staff
from tropa.cases import actions, hooks, labels, page, queries, retention
from tropa.cases.access import can_manage, get_case_for
from tropa.cases.forms import (
    AssignForm,
    HoldForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    TaskForm,
    UploadForm,
)
from tropa.cases.models import Case, Status
from tropa.keyring.actions import NoAccess

NOT_ALLOWED = {
    "reply": gettext_lazy("You cannot reply now: a closed case must be reopened first."),
    "status": gettext_lazy("The status of this case cannot be changed now."),
    "assign": gettext_lazy("Only an open case that has been triaged can be assigned."),
}


def back_to_case(case: Case, anchor: str = "") -> HttpResponse:
    response = redirect("cases:case", case_id=case.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def no_key(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "You hold no key for this case. Ask a coordinator to share it with you again "
            "(this happens after a password reset)."
        ),
    )


TIMELINE_RECENT = 100


def suggested(case: Case) -> str:
    """The outcome to offer first when closing: the case's own, or a hint."""
    hints = [hint(case) for hint in hooks.OUTCOME_HINTS]
    return case.outcome or next((h for h in hints if h), "")


def render_case_page(
    request: HttpRequest,
    case: Case,
    *,
    revealed: str | None = None,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    """The case page, decrypted with the viewer's keys; `forms` replace the blank ones."""
    staff = _staff(request)
    try:
        keys = actions.open_case(case, staff, _keys(request))
    except NoAccess:
        no_key(request)
        return render(request, "cases/case_locked.html", {"case": case}, status=403)
    intake = actions.read_intake(case, keys, staff)
    # Long timelines open on their latest entries; "show all" decrypts the rest.
    last = None if request.GET.get("all") == "1" else TIMELINE_RECENT
    assignments = list(case.assignments.select_related("staff").order_by("assigned_at"))
    assigned = [a.staff for a in assignments]
    templates = queries.reply_templates()
    manage = can_manage(staff, case)
    on_case = labels.on_case(case)
    context: dict[str, Any] = {
        "case_labels": on_case,
        "label_choices": [label for label in labels.available(staff) if label not in on_case],
        "case": case,
        "is_new": case.status == Status.NEW,
        "is_closed": case.status == Status.CLOSED,
        "manage": manage,
        "answers": page.answers(intake.answers, revealed),
        "timeline": page.timeline(actions.read_timeline(case, keys, last), keys, revealed),
        "earlier": max(case.message_count - last, 0) if last else 0,
        "tasks": page.tasks(case, keys),
        "assignments": assignments,
        "reply_form": ReplyForm(templates=templates),
        "note_form": NoteForm(),
        "upload_form": UploadForm(),
        "task_form": TaskForm(owners=assigned),
        "status_form": StatusForm(initial={"status": case.status, "outcome": suggested(case)}),
        "file_errors": [],
        "retention": retention.of(case),
        "hold_reason": retention.hold_reason(case, keys),
        "hold_form": HoldForm(),
    }
    if manage and case.status != Status.NEW:
        candidates = queries.candidates(case, assigned)
        context["assign_form"] = AssignForm(
            candidates=candidates,
            assigned=assigned,
            loads=queries.caseloads([*candidates, *assigned]),
        )
    for section in page.SECTIONS:
        context |= section(case, keys, staff)
    for name, form in forms.items():
        if form is not None:
            context[name] = form
    return render(request, "cases/case.html", context, status=status)


def case_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = get_case_for(_staff(request), case_id)
    response = render_case_page(request, case)
    if response.status_code == 200:
        actions.mark_read(case, _staff(request))
    return response


@require_POST
def reveal(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Show one hidden answer on the page this returns; nothing is remembered."""
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    question_id = request.POST.get("question", "")
    if not page.revealable(question_id):
        messages.error(request, _("There is nothing hidden by that name."))
        return back_to_case(case)
    try:
        actions.open_case(case, staff, _keys(request))
    except NoAccess:
        no_key(request)
        return back_to_case(case)
    actions.reveal(case, staff)
    return render_case_page(request, case, revealed=question_id)
