"""What a journey counts for in the statistics (tropa/core/tally.py).

A journey (a case's plan) counts as started in the month its first leg
started, as completed in the month its last leg was done (every leg done), and
as failed in the month a leg first failed. Every change to a leg's status goes
through `counted(plan)`, which reads the legs before and after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from tropa.core import tally
from tropa.core.tally import Facts, Key
from tropa.journeys.models import Leg, LegStatus, Plan

JOURNEY = "journey"
STARTED, COMPLETED, FAILED = "started", "completed", "failed"


def facts_of(team: int, legs: list[Leg]) -> Facts:
    counts: Facts = Counter()
    started = [leg.started_at for leg in legs if leg.started_at is not None]
    if started:
        counts[Key(JOURNEY, tally.month_of(min(started)), team, value=STARTED)] += 1
    ended = [leg.ended_at for leg in legs if leg.ended_at is not None]
    if legs and all(leg.status == LegStatus.DONE for leg in legs) and ended:
        counts[Key(JOURNEY, tally.month_of(max(ended)), team, value=COMPLETED)] += 1
    failed = [leg.ended_at for leg in legs if leg.status == LegStatus.FAILED and leg.ended_at]
    if failed:
        counts[Key(JOURNEY, tally.month_of(min(failed)), team, value=FAILED)] += 1
    return counts


def facts(plan: Plan) -> Facts:
    legs = list(Leg.objects.filter(plan=plan).only("status", "started_at", "ended_at"))
    return facts_of(plan.case.team_id or 0, legs)


@contextmanager
def counted(plan: Plan) -> Iterator[None]:
    """Count what the block changes in the plan's legs (saved inside it)."""
    with tally.counted(plan, facts):
        yield


def everything() -> Iterator[Facts]:
    legs: dict[int, list[Leg]] = {}
    for leg in Leg.objects.only("plan_id", "status", "started_at", "ended_at").iterator(
        chunk_size=5000
    ):
        legs.setdefault(leg.plan_id, []).append(leg)
    teams = dict(Plan.objects.filter(pk__in=legs).values_list("pk", "case__team_id"))
    for plan_id, rows in legs.items():
        yield facts_of(teams.get(plan_id) or 0, rows)
