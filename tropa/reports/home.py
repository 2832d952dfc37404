"""The analyst's home: this month and last in figures, and what is left to
publish. Counts only, from the tally."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tropa.accounts.models import Role, Staff
from tropa.cases import stats as case_stats
from tropa.core.home import Block, Line
from tropa.core.models import Tally
from tropa.reports import releases, scope
from tropa.reports.models import Release, ReleaseStatus
from tropa.reports.tables import month_label, months_between


def _received(month: date) -> int:
    found = Tally.objects.filter(measure=case_stats.RECEIVED, day=month).aggregate(n=Sum("n"))
    return found["n"] or 0


def figures_block() -> Block:
    this = scope.today().replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    url = reverse("reports:dashboard")
    lines = [
        Line(_("Requests in %(month)s") % {"month": month_label(this)}, url, str(_received(this))),
        Line(_("Requests in %(month)s") % {"month": month_label(last)}, url, str(_received(last))),
    ]
    return Block("statistics", _("Statistics"), _received(this), lines, more_url=url, order=10)


def unpublished_block() -> Block:
    first = releases.first_month()
    this = scope.today().replace(day=1)
    ended = months_between(first, this - timedelta(days=1)) if first else []
    done = set(
        Release.objects.filter(status=ReleaseStatus.PUBLISHED).values_list("period", flat=True)
    )
    waiting = [m for m in ended if f"{m:%Y-%m}" not in done]
    url = reverse("reports:releases")
    return Block(
        "unpublished",
        _("Ended months not yet published"),
        len(waiting),
        [Line(month_label(m), url) for m in reversed(waiting[-3:])],
        more_url=url,
        empty=_("Every ended month has a release."),
        order=20,
    )


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role == Role.ANALYST:
        return [figures_block(), unpublished_block()]
    return []
