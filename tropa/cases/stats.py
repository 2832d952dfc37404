"""What a case counts for in the statistics (tropa/core/tally.py).

A request counts in the month and on the day it came in, by team, channel
and situation, unless it was discarded as junk or merged into another case
(a duplicate). A closed case counts in the month it closed, by its outcome:
once with its channel and situation, once with its region group (each
dimension more multiplies the rows a view reads: docs/performance.md). A
first reply counts in the month the request came in, by how long the person
waited for it. Every write that changes one of these fields wraps itself in
`counted(case)`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.db.models import Count

from tropa.cases.models import OPEN_STATUSES, Case, CaseLabel, Status
from tropa.core import tally
from tropa.core.tally import Facts, Key

RECEIVED = "received"  # a month's requests
RECEIVED_DAY = "received_day"  # a day's requests (for weeks and the surge view)
CLOSED = "closed"  # cases closed in a month, value = outcome
CLOSED_REGION = "closed_region"  # the same by region group (and team only)
TIME_TO_CLOSE = "time_to_close"  # cases closed in a month, value = how long they took
FIRST_RESPONSE = "first_response"  # value = how long the first answer took
OPEN = "open"  # cases open now (and new requests), value = status
LABEL = "label"  # cases carrying a label now, value = the label's id

# The day of what is counted "now" rather than in a month.
NOW = date(2000, 1, 1)

NOT_COUNTED = (Status.DISCARDED, Status.MERGED)

# Upper bounds in hours of the waits for a first answer, and their names.
WAITS = ((1, "0-1"), (4, "1-4"), (24, "4-24"), (72, "24-72"))
LONGEST = "72+"
# Upper bounds in days of the time from request to closing, and their names.
SPANS = ((7, "0-7"), (30, "7-30"), (90, "30-90"), (180, "90-180"))
LONGEST_SPAN = "180+"


def wait_bucket(hours: float) -> str:
    return next((name for bound, name in WAITS if hours < bound), LONGEST)


def close_bucket(days: float) -> str:
    return next((name for bound, name in SPANS if days < bound), LONGEST_SPAN)


def facts(case: Case, labels: list[int] | None = None) -> Facts:
    """What `case` counts for; its labels are read unless given."""
    counts: Facts = Counter()
    if case.status in NOT_COUNTED or case.received_at is None:
        return counts
    if labels is None:
        labels = labels_of(case)
    team = case.team_id or 0
    month = tally.month_of(case.received_at)
    coded = {"team": team, "channel": case.channel, "situation": case.situation}
    counts[Key(RECEIVED, month, **coded)] += 1
    counts[Key(RECEIVED_DAY, tally.local_day(case.received_at), **coded)] += 1
    if case.status == Status.CLOSED and case.closed_at is not None:
        closed = tally.month_of(case.closed_at)
        counts[Key(CLOSED, closed, value=case.outcome, **coded)] += 1
        by_region = Key(CLOSED_REGION, closed, team, region=case.region_group, value=case.outcome)
        counts[by_region] += 1
        took = (case.closed_at - case.received_at) / timedelta(days=1)
        counts[Key(TIME_TO_CLOSE, closed, value=close_bucket(max(took, 0)), **coded)] += 1
    if case.first_reply_at is not None:
        waited = (case.first_reply_at - case.received_at) / timedelta(hours=1)
        counts[Key(FIRST_RESPONSE, month, value=wait_bucket(max(waited, 0)), **coded)] += 1
    if case.status in (Status.NEW, *OPEN_STATUSES):
        counts[Key(OPEN, NOW, value=case.status, **coded)] += 1
    for label in labels:
        counts[Key(LABEL, NOW, team, value=str(label))] += 1
    return counts


def labels_of(case: Case) -> list[int]:
    return list(CaseLabel.objects.filter(case_id=case.pk).values_list("label_id", flat=True))


@contextmanager
def counted(case: Case, *, relabel: bool = False) -> Iterator[None]:
    """Count what the block changes on `case` (set its attributes as saved).
    `relabel`: the block puts on or takes off a label (read before and after)."""
    labels = None if relabel else labels_of(case)
    before = facts(case, labels)
    yield
    tally.apply(tally.difference(before, facts(case, labels)))


def label_removed_everywhere(label_id: int) -> None:
    """A team label is about to be deleted with every CaseLabel carrying it."""
    carrying = (
        CaseLabel.objects.filter(label_id=label_id)
        .exclude(case__status__in=NOT_COUNTED)
        .values("case__team_id")
        .annotate(n=Count("pk"))
    )
    tally.apply(
        Counter(
            {
                Key(LABEL, NOW, r["case__team_id"] or 0, value=str(label_id)): -r["n"]
                for r in carrying
            }
        )
    )


def everything() -> Iterator[Facts]:
    """Every case's facts, from the rows present (`tropa stats rebuild`)."""
    labels: dict[object, list[int]] = {}
    for case_id, label_id in CaseLabel.objects.values_list("case_id", "label_id").iterator():
        labels.setdefault(case_id, []).append(label_id)
    fields = (
        "status", "received_at", "team_id", "channel", "situation", "region_group",
        "closed_at", "outcome", "first_reply_at",
    )  # fmt: skip
    for case in Case.objects.only(*fields).iterator(chunk_size=5000):
        yield facts(case, labels.get(case.pk, []))
