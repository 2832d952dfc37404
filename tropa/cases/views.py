"""Writing on a case: replies, notes, files, status, assignment, tasks.

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

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import staff_of as _staff
from tropa.cases import actions, files, queries
from tropa.cases.access import get_case_for, get_managed_case_for
from tropa.cases.case_page import NOT_ALLOWED, back_to_case, no_key, render_case_page
from tropa.cases.forms import AssignForm, NoteForm, ReplyForm, StatusForm, TaskForm, UploadForm
from tropa.cases.models import Status
from tropa.cases.uploads import SealedUpload, accepts_sealed_uploads
from tropa.core.views import file_download
from tropa.keyring.actions import NoAccess

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
    templates = queries.reply_templates()
    form = ReplyForm(request.POST, templates=templates)
    if request.POST.get("action") == "template":
        if form.is_valid() and (chosen := form.chosen_template()) is not None:
            typed = form.cleaned_data["text"]
            text = f"{typed}\n\n{chosen.body}" if typed else chosen.body
            form = ReplyForm(initial={"text": text, "template": chosen.pk}, templates=templates)
            if good or file_errors:
                messages.info(request, _("Choose the files again before sending."))
            return render_case_page(request, case, reply_form=form)
        form.add_error("template", _("Choose a template first."))
        return render_case_page(request, case, reply_form=form, status=400)
    if form.is_valid() and not form.cleaned_data["text"] and not good and not file_errors:
        form.add_error("text", _("Write a reply or choose a file."))
    if not form.is_valid() or file_errors:
        if file_errors and good:
            file_errors.append(_("Nothing was sent. Choose the files again and send."))
        return render_case_page(request, case, reply_form=form, file_errors=file_errors, status=400)
    try:
        files.reply_with_files(case, staff, _keys(request), form.cleaned_data["text"], good)
    except actions.NotAllowed:
        messages.error(request, NOT_ALLOWED["reply"])
        return back_to_case(case)
    except NoAccess:
        no_key(request)
        return back_to_case(case)
    messages.success(request, _("Reply sent. The requester will see it in the portal."))
    return back_to_case(case, "timeline-end")


@require_POST
def note(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render_case_page(request, case, note_form=form, status=400)
    try:
        actions.note(case, staff, _keys(request), form.cleaned_data["text"])
    except NoAccess:
        no_key(request)
        return back_to_case(case)
    messages.success(request, _("Note added. Only staff see it."))
    return back_to_case(case, "timeline-end")


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
        return render_case_page(
            request, case, upload_form=form, upload_errors=file_errors, status=400
        )
    try:
        files.note_with_files(case, staff, _keys(request), form.cleaned_data["caption"], good)
    except NoAccess:
        no_key(request)
        return back_to_case(case)
    messages.success(request, _("Files added for the team. The requester does not see them."))
    return back_to_case(case, "timeline-end")


def download(request: HttpRequest, case_id: uuid.UUID, attachment_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    attachment = get_object_or_404(case.attachments, pk=attachment_id)
    try:
        keys = actions.open_case(case, staff, _keys(request))
        meta, data = files.read_file(case, attachment, keys, staff)
    except NoAccess:
        no_key(request)
        return back_to_case(case)
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
        return render_case_page(request, case, status_form=form, status=400)
    new, outcome = form.cleaned_data["status"], form.cleaned_data["outcome"]
    if new == case.status and (new != Status.CLOSED or outcome == case.outcome):
        messages.info(request, _("The case already has this status."))
        return back_to_case(case, "status")
    try:
        actions.set_status(case, new, staff, _keys(request), outcome)
    except actions.NotAllowed:
        messages.error(request, NOT_ALLOWED["status"])
        return back_to_case(case)
    except NoAccess:
        no_key(request)
        return back_to_case(case)
    if new == Status.CLOSED:
        messages.success(request, _("The case is closed. It can be reopened at any time."))
    else:
        messages.success(
            request, _("Status changed to “%(status)s”.") % {"status": case.get_status_display()}
        )
    return back_to_case(case, "status")


@require_POST
def assign(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Assign a consultant, add another one, or transfer (with "in place of")."""
    staff = _staff(request)
    case = get_managed_case_for(staff, case_id)
    assigned = [a.staff for a in case.assignments.select_related("staff")]
    form = AssignForm(
        request.POST, candidates=queries.candidates(case, assigned), assigned=assigned
    )
    if not form.is_valid():
        return render_case_page(request, case, assign_form=form, status=400)
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
    except actions.NoKeyYet:
        messages.error(
            request,
            _(
                "%(name)s has not signed in and chosen a password yet, so has no key to "
                "share the case with. Assign them after their first sign-in."
            )
            % {"name": new.username},
        )
    except actions.NotAllowed:
        messages.error(request, NOT_ALLOWED["assign"])
    except NoAccess:
        no_key(request)
    return back_to_case(case, "assignment")


@require_POST
def unassign(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_managed_case_for(staff, case_id)
    assignment = (
        case.assignments.select_related("staff")
        .filter(staff_id=_uuid(request.POST.get("staff")))
        .first()
    )
    if assignment is None:
        messages.error(request, _("That person is not on this case."))
        return back_to_case(case, "assignment")
    try:
        actions.unassign(case, assignment.staff, staff, _keys(request))
    except NoAccess:
        no_key(request)
        return back_to_case(case)
    messages.success(
        request,
        _("%(name)s is off the case and no longer holds its key.")
        % {"name": assignment.staff.username},
    )
    return back_to_case(case, "assignment")


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
        return render_case_page(request, case, task_form=form, status=400)
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
        no_key(request)
        return back_to_case(case)
    messages.success(request, _("Task added."))
    return back_to_case(case, "tasks")


@require_POST
def task_done(request: HttpRequest, case_id: uuid.UUID, task_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = get_case_for(staff, case_id)
    task = get_object_or_404(case.tasks, pk=task_id)
    actions.complete_task(task, staff)
    messages.success(request, _("Task done."))
    return back_to_case(case, "tasks")
