"""The staff search page. The query comes by POST, so it is in no address, no
browser history and no access log; the page shows it back and stores nothing."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import roles_only
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role
from tropa.cases import search


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search my cases"),
        max_length=search.QUERY_MAX,
        strip=True,
        error_messages={
            "required": _("Write what to look for: a word, an alias or a case number."),
            "max_length": _("Keep the search under %(limit_value)d characters."),
        },
    )


@roles_only(Role.COORDINATOR, Role.CONSULTANT)
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.POST if request.method == "POST" else None)
    hits = None
    if request.method == "POST" and form.is_valid():
        hits = search.search(_staff(request), _keys(request), form.cleaned_data["q"])
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    context = {
        "form": form,
        "hits": hits,
        "is_coordinator": _staff(request).role == Role.COORDINATOR,
    }
    return render(request, "cases/search.html", context, status=status)
