"""Legal help pages: the templates (list, upload, new version, download), a
document produced from a case (fields, preview, the .docx streamed from
memory), the deadline rules, and legal events on a case.

Views parse, check (a case the viewer may not work on is a 404, as for the
case; templates are for coordinators and lawyers), call an action in
tropa/assistance/legal.py and redirect. Bad input renders the page again with
what was typed.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role
from tropa.assistance import legal, placeholders, queries
from tropa.assistance.legal_forms import DocumentForm, EventForm, RuleForm, UploadForm
from tropa.assistance.models import DeadlineRule, DocumentTemplate, LegalDeadline, TemplateVersion
from tropa.assistance.starter import ensure_starters
from tropa.cases.uploads import DOCX
from tropa.keyring.actions import NoAccess


def _template_of(template_id: int) -> DocumentTemplate:
    template = DocumentTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


@roles_only(Role.CONSULTANT, Role.COORDINATOR)
def templates(request: HttpRequest) -> HttpResponse:
    """Every template with its latest version; upload a new one (coordinators, lawyers)."""
    staff = _staff(request)
    ensure_starters()
    manage = legal.may_manage_templates(staff)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not manage:
            raise Http404
        if form.is_valid():
            template_id = request.POST.get("template", "")
            template = _template_of(int(template_id)) if template_id.isdigit() else None
            try:
                version = legal.upload_version(
                    template,
                    form.cleaned_data["docx"],
                    staff,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    situations=",".join(form.cleaned_data["situations"]),
                )
            except (placeholders.BadTemplate, legal.Refused) as refused:
                form.add_error("docx" if isinstance(refused, placeholders.BadTemplate) else None,
                               str(refused))  # fmt: skip
            else:
                messages.success(
                    request, _("Version %(n)s of the template is in use.") % {"n": version.number}
                )
                return redirect("assistance:templates")
    rows = [(t, t.latest) for t in DocumentTemplate.objects.order_by("title")]
    status = 400 if form.errors else 200
    return render(
        request,
        "assistance/templates.html",
        {"rows": rows, "form": form, "manage": manage, "known": sorted(placeholders.KNOWN)},
        status=status,
    )


@roles_only(Role.CONSULTANT, Role.COORDINATOR)
def template_file(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    """A version's .docx, to edit and upload again (an organisation document)."""
    version = TemplateVersion.objects.filter(template_id=template_id, number=number).first()
    if version is None:
        raise Http404
    response = HttpResponse(bytes(version.docx), content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="template-{template_id}-v{number}.docx"'
    )
    return response


def document(request: HttpRequest, case_id: uuid.UUID, template_id: int) -> HttpResponse:
    """Fill a template's fields for this case, preview them, produce the .docx."""
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    template = _template_of(template_id)
    version = template.latest
    if version is None:
        raise Http404
    form = DocumentForm(request.POST or None, needed=list(version.fields))
    preview: dict[str, str] | None = None
    if request.method == "POST" and request.POST.get("action") == "name":
        try:
            data = request.POST.copy()
            for field, value in legal.name_from_request(case, staff, _keys(request)).items():
                data[field] = value
        except (NoAccess, vault.CannotOpen):
            messages.error(request, _("You hold no key for this case."))
            return redirect("cases:case", case_id=case.pk)
        form = DocumentForm(data, needed=list(version.fields))
        form.is_valid()  # shows what is still wrong, with the name filled in
    elif request.method == "POST" and form.is_valid():
        filled = placeholders.Filled({k: v for k, v in form.cleaned_data.items() if k != "keep"})
        if request.POST.get("action") == "produce":
            try:
                body = legal.produce(
                    case, version, filled, staff, _keys(request), keep=form.cleaned_data["keep"]
                )
            except legal.Refused as refused:
                form.add_error(None, str(refused))
            except (NoAccess, vault.CannotOpen):
                messages.error(request, _("You hold no key for this case."))
                return redirect("cases:case", case_id=case.pk)
            else:
                response = HttpResponse(body, content_type=DOCX)
                response["Content-Disposition"] = 'attachment; filename="document.docx"'
                response["Cache-Control"] = "no-store"
                return response
        else:
            values = placeholders.context(filled, queries.today())
            preview = {name: values.get(name, "") for name in version.fields}
    return render(
        request,
        "assistance/document.html",
        {"case": case, "template": template, "version": version, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


@roles_only(Role.COORDINATOR)
def rules(request: HttpRequest) -> HttpResponse:
    """The deadline rules; one form per rule, and one for a new rule."""
    staff = _staff(request)
    posted = request.POST.get("rule", "") if request.method == "POST" else ""
    forms = []
    for rule in [*DeadlineRule.objects.order_by("event", "name"), DeadlineRule()]:
        key = str(rule.pk or "new")
        if key == posted:
            form = RuleForm(request.POST, instance=rule, prefix=key)
            if form.is_valid():
                try:
                    legal.save_rule(form.instance, staff)  # filled in by is_valid()
                except legal.Refused as refused:
                    form.add_error(None, str(refused))
                else:
                    messages.success(request, _("Deadline rule saved."))
                    return redirect("assistance:rules")
        else:
            if rule.pk:
                rule.name = _(rule.name)
            form = RuleForm(instance=rule, prefix=key)
        forms.append((key, form))
    return render(request, "assistance/rules.html", {"forms": forms}, status=400 if posted else 200)


@require_POST
def add_deadline(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            legal.record_deadline(
                case,
                form.cleaned_data["rule"],
                form.cleaned_data["event_on"],
                staff,
                _keys(request),
            )
        except legal.Refused as refused:
            form.add_error("event_on", str(refused))
        except (NoAccess, vault.CannotOpen):
            messages.error(request, _("You hold no key for this case."))
            return redirect("cases:case", case_id=case.pk)
        else:
            messages.success(request, _("Deadline recorded; a task reminds of it."))
            response = redirect("cases:case", case_id=case.pk)
            response["Location"] += "#legal"
            return response
    return render(request, "assistance/deadline.html", {"case": case, "form": form}, status=400)


@require_POST
def remove_deadline(request: HttpRequest, case_id: uuid.UUID, deadline_id: int) -> HttpResponse:
    staff = _staff(request)
    case = queries.case_for(staff, case_id)
    deadline = (
        LegalDeadline.objects.filter(pk=deadline_id, case=case).select_related("task").first()
    )
    if deadline is None:
        raise Http404
    legal.remove_deadline(deadline, staff)
    response = redirect("cases:case", case_id=case.pk)
    response["Location"] += "#legal"
    return response
