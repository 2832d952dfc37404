"""The analyst's pages: the dashboard (coordinators see it for their own team)
and the releases, with the form that publishes one.

Views parse, check, call releases.publish and redirect. No page here shows a
case or links to one: every figure is a count.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tropa.accounts.actions import default_team
from tropa.accounts.current import keys_of, roles_only, staff_of
from tropa.accounts.models import Role
from tropa.reports import charts, measures, releases, scope
from tropa.reports.forms import FilterForm, PublishForm, month_text, scope_from
from tropa.reports.models import Release


@roles_only(Role.ANALYST, Role.COORDINATOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request)
    whole = staff.role == Role.ANALYST
    form = FilterForm(request.GET or None, whole_helpline=whole)
    team = None if whole else (staff.team_id or default_team().pk)
    today = scope.today()
    chosen = scope_from(form, today, team)
    if request.GET and not form.is_valid():
        messages.error(
            request, _("Some filters were not understood: the figures use the defaults instead.")
        )
    views = [(table, charts.draw(table)) for table in measures.dashboard(chosen, today)]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "scope": chosen,
            "views": views,
            "whole": whole,
            "start": month_text(chosen.start),
            "end": month_text(chosen.end),
        },
    )


@roles_only(Role.ANALYST, Role.ADMIN)
def release_list(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request)
    form = PublishForm(
        request.POST or None, initial={"tables": [k for k, _t in releases.table_titles()]}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = releases.parse_period(data["period"], scope.today())
            release, new = releases.publish(
                period,
                data["tables"],
                staff,
                keys_of(request),
                supersede=data["supersede"],
                reason=data["reason"],
            )
        except releases.Refused as error:
            form.add_error(None, str(error))
        else:
            if new:
                messages.success(request, _("Published, signed and frozen."))
            else:
                messages.info(
                    request, _("This period was already published: here is that release.")
                )
            return redirect("reports:release", period=release.period, number=release.number)
    return render(
        request,
        "reports/releases.html",
        {"form": form, "releases": Release.objects.order_by("-period", "-number")},
    )
