"""The case page and its actions; the case list; reply templates.

Views parse, check permission (tropa.cases.access: what the viewer may not
see is a 404), call an action and redirect back to the case page with a
message. Bad input renders the page again with what was typed and the error.

Files: the reply form and the "files for the team" form post multipart data.
Their views swap in SealingUploadHandler before anything reads the body (so
CSRF is checked inside, after the swap, as the portal does). Files sent with a
reply reach the requester; files for the team are an internal note.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role, Staff
from tropa.accounts.people import roles_only
from tropa.cases import actions, files, page
from tropa.cases.access import can_manage, get_case_for, visible_cases
from tropa.cases.forms import (
    AssignForm,
    ListFilterForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    TaskForm,
    UploadForm,
)
from tropa.cases.models import Assignment, Case, ReplyTemplate, Status, Task
from tropa.core import clock
from tropa.core.views import file_download
from tropa.intake.uploads import SealedUpload, accepts_sealed_uploads
from tropa.journeys.views import journey_context
from tropa.keyring.actions import NoAccess

CASEWORK = (Role.COORDINATOR, Role.CONSULTANT)
NOT_ALLOWED = {
    "reply": gettext_lazy("You cannot reply now: a closed case must be reopened first."),
    "status": gettext_lazy("The status of this case cannot be changed now."),
    "assign": gettext_lazy("Only an open case that has been triaged can be assigned."),
}


def _back(case: Case, anchor: str = "") -> HttpResponse:
    response = redirect("cases:case", case_id=case.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _no_key(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "You hold no key for this case. Ask a coordinator to share it with you again "
            "(this happens after a password reset)."
        ),
    )


# --- the list -----------------------------------------------------------------


@roles_only(*CASEWORK)
def case_list(request: HttpRequest) -> HttpResponse:
    """My cases (and my team's, for a coordinator). Plaintext metadata only."""
    staff = _staff(request)
    filters = ListFilterForm(request.GET or None)
    cases = visible_cases(staff).exclude(status__in=[Status.NEW, Status.DISCARDED])
    statuses = filters.statuses()
    if statuses is not None:
        cases = cases.filter(status__in=statuses)
    mine_open = Q(tasks__owner=staff, tasks__done_at__isnull=True)
    overdue = Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due_at__lt=clock.now())
    cases = (
        cases.annotate(my_tasks=Count("tasks", filter=mine_open), overdue=Exists(overdue))
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("staff"))
        )
        .order_by("-updated_at", "pk")
    )
    page_obj = Paginator(cases, 50).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page_obj, "cases": page_obj.object_list}
    return render(request, "cases/list.html", context)


# --- the case page --------------------------------------------------------------

TIMELINE_RECENT = 100


def _render(
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
        _no_key(request)
        return render(request, "cases/case_locked.html", {"case": case}, status=403)
    intake = actions.read_intake(case, keys, staff)
    # Long timelines open on their latest entries; "show all" decrypts the rest.
    last = None if request.GET.get("all") == "1" else TIMELINE_RECENT
    assignments = list(case.assignments.select_related("staff").order_by("assigned_at"))
    assigned = [a.staff for a in assignments]
    templates = ReplyTemplate.objects.filter(language=page.language())
    manage = can_manage(staff, case)
    context: dict[str, Any] = {
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
        "status_form": StatusForm(initial={"status": case.status}),
        "file_errors": [],
    }
    if manage and case.status != Status.NEW:
        candidates = _candidates(case, assigned)
        context["assign_form"] = AssignForm(
            candidates=candidates,
            assigned=assigned,
            loads=actions.caseloads([*candidates, *assigned]),
        )
    context.update(journey_context(case, keys, staff))
    for name, form in forms.items():
        if form is not None:
            context[name] = form
    return render(request, "cases/case.html", context, status=status)


def _candidates(case: Case, assigned: list[Staff]) -> list[Staff]:
    """Consultants of the case's team who are not on it yet."""
    return list(
        Staff.objects.filter(role=Role.CONSULTANT, is_active=True)
        .filter(Q(team_id=case.team_id) | Q(team__isnull=True))
        .exclude(pk__in=[s.pk for s in assigned])
        .order_by("username")
    )


def case_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = get_case_for(_staff(request), case_id)
    return _render(request, case)


@require_POST
def reveal(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Show one hidden answer on the page this returns; nothing is remembered."""
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    question_id = request.POST.get("question", "")
    if not page.revealable(question_id):
        messages.error(request, _("There is nothing hidden by that name."))
        return _back(case)
    try:
        actions.open_case(case, staff, _keys(request))
    except NoAccess:
        _no_key(request)
        return _back(case)
    actions.reveal(case, staff, question_id)
    return _render(request, case, revealed=question_id)


# --- writing: replies, notes, files ---------------------------------------------


def _uploads(request: HttpRequest) -> tuple[list[SealedUpload], list[str]]:
    uploads = request.FILES.getlist("files")
    return [u for u in uploads if not u.error], [u.error_message() for u in uploads if u.error]


@require_POST
@accepts_sealed_uploads
def reply(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    good, file_errors = _uploads(request)
    templates = ReplyTemplate.objects.filter(language=page.language())
    form = ReplyForm(request.POST, templates=templates)
    if request.POST.get("action") == "template":
        if form.is_valid() and (chosen := form.chosen_template()) is not None:
            typed = form.cleaned_data["text"]
            text = f"{typed}\n\n{chosen.body}" if typed else chosen.body
            form = ReplyForm(initial={"text": text, "template": chosen.pk}, templates=templates)
            if good or file_errors:
                messages.info(request, _("Choose the files again before sending."))
            return _render(request, case, reply_form=form)
        form.add_error("template", _("Choose a template first."))
        return _render(request, case, reply_form=form, status=400)
    if form.is_valid() and not form.cleaned_data["text"] and not good and not file_errors:
        form.add_error("text", _("Write a reply or choose a file."))
    if not form.is_valid() or file_errors:
        if file_errors and good:
            file_errors.append(_("Nothing was sent. Choose the files again and send."))
        return _render(request, case, reply_form=form, file_errors=file_errors, status=400)
    try:
        files.reply_with_files(case, staff, _keys(request), form.cleaned_data["text"], good)
    except actions.NotAllowed:
        messages.error(request, NOT_ALLOWED["reply"])
        return _back(case)
    except NoAccess:
        _no_key(request)
        return _back(case)
    messages.success(request, _("Reply sent. The requester will see it in the portal."))
    return _back(case, "timeline-end")


@require_POST
def note(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render(request, case, note_form=form, status=400)
    try:
        actions.note(case, staff, _keys(request), form.cleaned_data["text"])
    except NoAccess:
        _no_key(request)
        return _back(case)
    messages.success(request, _("Note added. Only staff see it."))
    return _back(case, "timeline-end")


@require_POST
@accepts_sealed_uploads
def upload(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Files for the team: a new internal note holding them, sealed to the case key only."""
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    good, file_errors = _uploads(request)
    form = UploadForm(request.POST)
    if not good and not file_errors:
        file_errors = [_("Choose at least one file.")]
    if not form.is_valid() or file_errors:
        if file_errors and good:
            file_errors.append(_("Nothing was added. Choose the files again."))
        return _render(request, case, upload_form=form, upload_errors=file_errors, status=400)
    try:
        files.note_with_files(case, staff, _keys(request), form.cleaned_data["caption"], good)
    except NoAccess:
        _no_key(request)
        return _back(case)
    messages.success(request, _("Files added for the team. The requester does not see them."))
    return _back(case, "timeline-end")


def download(request: HttpRequest, case_id: uuid.UUID, attachment_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    attachment = get_object_or_404(case.attachments, pk=attachment_id)
    try:
        keys = actions.open_case(case, staff, _keys(request))
        meta, data = files.read_file(case, attachment, keys, staff)
    except NoAccess:
        _no_key(request)
        return _back(case)
    except vault.CannotOpen:
        raise Http404 from None
    return file_download(data, str(meta.get("name", "file")))


# --- status, assignment, tasks -------------------------------------------------


@require_POST
def status(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render(request, case, status_form=form, status=400)
    new, outcome = form.cleaned_data["status"], form.cleaned_data["outcome"]
    if new == case.status and (new != Status.CLOSED or outcome == case.outcome):
        messages.info(request, _("The case already has this status."))
        return _back(case, "status")
    try:
        actions.set_status(case, new, staff, _keys(request), outcome)
    except actions.NotAllowed:
        messages.error(request, NOT_ALLOWED["status"])
        return _back(case)
    except NoAccess:
        _no_key(request)
        return _back(case)
    if new == Status.CLOSED:
        messages.success(request, _("The case is closed. It can be reopened at any time."))
    else:
        messages.success(
            request, _("Status changed to “%(status)s”.") % {"status": case.get_status_display()}
        )
    return _back(case, "status")


def _managed_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    case = get_case_for(_staff(request), case_id)
    if not can_manage(_staff(request), case):
        raise Http404
    return case


@require_POST
def assign(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Assign a consultant, add another one, or transfer (with "in place of")."""
    staff = _staff(request)
    case = _managed_case(request, case_id)
    assigned = [a.staff for a in case.assignments.select_related("staff")]
    form = AssignForm(request.POST, candidates=_candidates(case, assigned), assigned=assigned)
    if not form.is_valid():
        return _render(request, case, assign_form=form, status=400)
    new = form.candidates[form.cleaned_data["staff"]]
    old_pk = form.cleaned_data["instead_of"]
    try:
        if old_pk:
            old = form.assigned[old_pk]
            actions.transfer(case, old, new, staff, _keys(request))
            messages.success(
                request,
                _("The case is transferred from %(old)s to %(new)s.")
                % {"old": old.username, "new": new.username},
            )
        else:
            actions.assign(case, new, staff, _keys(request))
            messages.success(request, _("%(name)s is on the case.") % {"name": new.username})
    except actions.NotAllowed:
        messages.error(request, NOT_ALLOWED["assign"])
    except NoAccess:
        _no_key(request)
    return _back(case, "assignment")


@require_POST
def unassign(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = _managed_case(request, case_id)
    assignment = (
        case.assignments.select_related("staff")
        .filter(staff_id=_uuid(request.POST.get("staff")))
        .first()
    )
    if assignment is None:
        messages.error(request, _("That person is not on this case."))
        return _back(case, "assignment")
    try:
        actions.unassign(case, assignment.staff, staff, _keys(request))
    except NoAccess:
        _no_key(request)
        return _back(case)
    messages.success(
        request,
        _("%(name)s is off the case and no longer holds its key.")
        % {"name": assignment.staff.username},
    )
    return _back(case, "assignment")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@require_POST
def add_task(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    owners = [a.staff for a in case.assignments.select_related("staff").order_by("assigned_at")]
    form = TaskForm(request.POST, owners=owners)
    if not form.is_valid():
        return _render(request, case, task_form=form, status=400)
    try:
        actions.add_task(
            case,
            form.chosen_owner(),
            staff,
            _keys(request),
            form.cleaned_data["title"],
            form.due_at(),
        )
    except NoAccess:
        _no_key(request)
        return _back(case)
    messages.success(request, _("Task added."))
    return _back(case, "tasks")


@require_POST
def task_done(request: HttpRequest, case_id: uuid.UUID, task_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    task = get_object_or_404(case.tasks, pk=task_id)
    actions.complete_task(task, staff)
    messages.success(request, _("Task done."))
    return _back(case, "tasks")
