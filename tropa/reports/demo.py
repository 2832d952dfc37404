"""A year of synthetic statistics for the demo: counts only, made up, in the
tally as a year of cases would have left them (with a mobilisation surge
two months ago), and the last two months published, so that the dashboard
and /impact/ look like a helpline's. No case, no person behind any of it.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from tropa import vault
from tropa.accounts.actions import default_team
from tropa.accounts.models import Staff
from tropa.cases import stats as case_stats
from tropa.cases.models import Case, Status
from tropa.core import clock, tally
from tropa.core.tally import Facts, Key
from tropa.journeys import stats as journey_stats
from tropa.reports import releases, scope

CHANNELS = {"web": 55, "telegram": 42, "staff": 3}
SITUATIONS = {"summons": 38, "mobilised": 14, "contract": 16, "at_front": 9, "awol": 4,
              "abroad": 6, "relative": 10, "other": 3}  # fmt: skip
REGIONS = {
    "central": 24, "northwest": 10, "south": 9, "north_caucasus": 5, "volga": 16,
    "ural": 9, "siberia": 9, "far_east": 4, "occupied": 2, "abroad": 4, "unknown": 8,
}  # fmt: skip
OUTCOMES = {
    "avoided": 40, "left_army": 12, "left_country": 15, "legal_status": 4,
    "referred": 8, "lost_contact": 12, "detained": 1, "declined": 5, "other": 3,
}  # fmt: skip
WAITS = {"0-1": 22, "1-4": 35, "4-24": 30, "24-72": 10, "72+": 3}
SURGE_DAYS_AGO = 70


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _per_day(rng: random.Random, day: date, today: date) -> int:
    base = 55 + 15 * (day.weekday() < 5)
    since_surge = (today - timedelta(days=SURGE_DAYS_AGO) - day).days * -1
    if 0 <= since_surge < 21:  # a mobilisation: eight times the usual, fading over three weeks
        base *= 1 + 7 * (21 - since_surge) / 21
    return max(0, int(rng.gauss(base, base * 0.15)))


def made_up_case(rng: random.Random, received: datetime, team: int, now: datetime) -> Case:
    """An unsaved case as a year of casework leaves one: mostly closed."""
    closed = received + timedelta(days=rng.expovariate(1 / 35))
    done = closed < now and rng.random() < 0.9
    return Case(
        status=Status.CLOSED if done else Status.ACTIVE,
        channel=_pick(rng, CHANNELS),
        situation=_pick(rng, SITUATIONS),
        region_group=_pick(rng, REGIONS),
        team_id=team,
        received_at=received,
        closed_at=closed if done else None,
        outcome=_pick(rng, OUTCOMES) if done else "",
        first_reply_at=received + timedelta(hours=rng.expovariate(1 / 6)),
    )


def counts_of(case: Case) -> Facts:
    """What the case counts for, but not in "open now" or labels: those are
    the real cases' (the made-up ones are history)."""
    facts = case_stats.facts(case, labels=[])
    for key in [k for k in facts if k.measure in (case_stats.OPEN, case_stats.LABEL)]:
        del facts[key]
    return facts


def history(today: date, team: int, seed: int = 2026) -> Facts:
    rng = random.Random(seed)  # noqa: S311 - made-up figures, not secrets
    counts: Facts = Counter()
    now = clock.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    start = today - timedelta(days=365)
    for offset in range(365):
        day = start + timedelta(days=offset)
        for _ in range(_per_day(rng, day, today)):
            hour = datetime.combine(day, time(rng.randint(0, 23)), tzinfo=zone)
            counts.update(counts_of(made_up_case(rng, hour, team, now)))
            if rng.random() < 0.06:
                _journey(rng, counts, day, today, team)
    return counts


def _journey(rng: random.Random, counts: Facts, day: date, today: date, team: int) -> None:
    started = day + timedelta(days=rng.randint(5, 30))
    if started >= today:
        return
    counts[Key(journey_stats.JOURNEY, started.replace(day=1), team, value="started")] += 1
    ended = started + timedelta(days=rng.randint(1, 6))
    if ended < today:
        outcome = "failed" if rng.random() < 0.07 else "completed"
        counts[Key(journey_stats.JOURNEY, ended.replace(day=1), team, value=outcome)] += 1


def fill(analyst: Staff, password: str) -> None:
    """The year of counts, and releases for the two months before this one."""
    today = scope.today()
    tally.apply(history(today, default_team().pk))
    keys = vault.unwrap_staff_key(analyst.wrapped_key(), password)
    chosen = [key for key, _title in releases.table_titles()]
    month = today.replace(day=1)
    ended = []
    for _ in range(2):
        month = (month - timedelta(days=1)).replace(day=1)
        ended.append(month)
    for month in reversed(ended):
        period = releases.parse_period(f"{month:%Y-%m}", today)
        releases.publish(period, chosen, analyst, keys)
