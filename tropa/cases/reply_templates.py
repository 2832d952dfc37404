"""Reusable reply texts in Russian and English, managed by coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tropa.accounts.current import roles_only, staff_of
from tropa.accounts.models import Role
from tropa.cases import actions, page
from tropa.cases.forms import TemplateForm
from tropa.cases.models import ReplyTemplate
from tropa.core.views import posted


@roles_only(Role.COORDINATOR)
def templates(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(posted(request), initial={"language": page.language()})
    if request.method == "POST" and form.is_valid():
        actions.save_template(form.instance, actor=staff_of(request))
        messages.success(request, _("Template saved."))
        return redirect("cases:templates")
    context = {"form": form, "templates": ReplyTemplate.objects.all()}
    return render(request, "cases/templates.html", context, status=400 if form.errors else 200)


@roles_only(Role.COORDINATOR)
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_object_or_404(ReplyTemplate, pk=template_id)
    if request.method == "POST" and "delete" in request.POST:
        actions.delete_template(template, actor=staff_of(request))
        messages.success(request, _("Template deleted."))
        return redirect("cases:templates")
    form = TemplateForm(posted(request), instance=template)
    if request.method == "POST" and form.is_valid():
        actions.save_template(form.instance, actor=staff_of(request))
        messages.success(request, _("Template saved."))
        return redirect("cases:templates")
    context = {"form": form, "template": template}
    return render(request, "cases/template_edit.html", context, status=400 if form.errors else 200)
