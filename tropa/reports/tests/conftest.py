"""Months of counts made straight in the tally, as cases would have made them."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from tropa.core import tally
from tropa.core.tally import Key
from tropa.reports import scope


def month_back(n: int) -> date:
    """The first day of the month n months before this one."""
    month = scope.today().replace(day=1)
    for _ in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def add_month(month: date, *, received: int, closed: dict[str, int], team: int = 1) -> None:
    counts: Counter = Counter()
    counts[Key("received", month, team, "web", "summons")] += received
    counts[Key("received_day", month, team, "web", "summons")] += received
    for outcome, n in closed.items():
        counts[Key("closed", month, team, "web", "summons", value=outcome)] += n
        counts[Key("closed_region", month, team, region="central", value=outcome)] += n
    tally.apply(counts)


@pytest.fixture
def history(db):
    """Six ended months: many requests, a few detained (a small group) each month."""
    for n in range(6, 0, -1):
        add_month(month_back(n), received=120 + n, closed={"left_army": 40 + n, "detained": 3})
    return [month_back(n) for n in range(6, 0, -1)]
