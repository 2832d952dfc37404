"""A year of made-up counts and a published release, for pages that show them."""

from __future__ import annotations

from datetime import timedelta

from tropa.accounts.actions import default_team
from tropa.core import tally
from tropa.reports import demo, releases, scope
from tropa.reports.models import Release
from tropa.testing.people import Person


def fill_history(analyst: Person) -> None:
    today = scope.today()
    tally.apply(demo.history(today, default_team().pk))
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    period = releases.parse_period(f"{month:%Y-%m}", today)
    chosen = [key for key, _title in releases.table_titles()]
    releases.publish(period, chosen, analyst.staff, analyst.keys())


def last_release_url() -> str:
    release = Release.objects.order_by("-period", "-number").first()
    assert release is not None
    return f"/impact/{release.period}/{release.number}/"
