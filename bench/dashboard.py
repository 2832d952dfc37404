"""Statistics at scale: the analyst's dashboard over 1,000,000 cases.

Loads a fresh database with --real cases (100,000 by default) made as
bench/casework.py makes them (real rows: keyrings, envelopes, timelines,
applications), recounts the tally from them with `tropa stats rebuild`'s
code (timed), then adds the counts of --cases minus --real more cases over
four years (a mobilisation surge included) through the same facts function
the actions use, cases.stats.facts, on case objects that are not saved: the
dashboard reads the tally, never the case rows, so the tally it reads is the
one 1,000,000 cases would have left. Then signs an analyst and a coordinator
in and times, in-process (server time):

  - the dashboard, default (the last 12 months)   GET /staff/statistics/
  - the dashboard, four years                      ?start=...&end=...
  - the dashboard, one team / channel / situation  ?team= / ?channel= / ?situation=
  - a coordinator's dashboard (their team)
  - publishing a month (once), the release page, /impact/

each --runs times after 5 warm-up requests; prints p50/p95/max. Budget
(issue 16): dashboard p95 <= 300 ms. Figures, not a pass/fail test.

    python bench/dashboard.py [--cases 1000000] [--real 100000] [--runs 30]
    python bench/dashboard.py --database postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import casework  # noqa: E402 (the loader this bench shares)

YEARS = 4
BATCH = 50_000


def synthetic(count: int, teams: list[int], seed: int = 16) -> tuple[float, int]:
    """The counts of `count` more cases over four years, made up as the demo
    makes its year (tropa/reports/demo.py) and counted by cases.stats.facts;
    (seconds, tally rows)."""
    from tropa.core import clock, tally
    from tropa.core.models import Tally
    from tropa.reports import demo

    rng = random.Random(seed)
    now = clock.now()
    span = YEARS * 365 * 24
    surge = now - timedelta(days=400)
    started = time.perf_counter()
    counts: Counter = Counter()
    for n in range(count):
        if rng.random() < 0.15:  # a surge: 15 % of all requests in three weeks
            received = surge + timedelta(hours=rng.randint(0, 21 * 24))
        else:
            received = now - timedelta(hours=rng.randint(1, span))
        received = received.replace(minute=0, second=0, microsecond=0)
        counts.update(demo.counts_of(demo.made_up_case(rng, received, rng.choice(teams), now)))
        if (n + 1) % BATCH == 0:
            tally.apply(counts)
            counts = Counter()
    tally.apply(counts)
    return time.perf_counter() - started, Tally.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--real", type=int, default=100_000, help="real case rows among them")
    parser.add_argument("--new-share", type=float, default=0.2)
    parser.add_argument("--templates", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=30)
    casework.database_arguments(parser)
    parser.add_argument("--analyze", action="store_true")
    casework.in_fresh_database(parser.parse_args(), run)


def run(args: argparse.Namespace, database: str) -> None:
    from django.db import connection

    from tropa.accounts.models import Team
    from tropa.cli import bootstrap
    from tropa.reports import recount, releases, scope

    loaded = time.perf_counter()
    recovery = bootstrap.initialise_org("admin").recovery
    teams = [Team.objects.get_or_create(name=name)[0] for name in ("Main", "South", "East")]
    coordinators = {
        team: casework.make_staff(f"coord{n}", "coordinator", team, recovery)
        for n, team in enumerate(teams)
    }
    consultants = [casework.make_staff(f"cons{n}", "consultant", teams[0], None) for n in range(5)]
    analyst = casework.make_staff("analyst", "analyst", None, None)
    print(f"Generating {args.real:,} real cases on {database} ...")
    args.cases, total = args.real, args.cases
    casework.generate(args, coordinators, consultants)
    casework.assistance(consultants)
    started = time.perf_counter()
    rows = recount.rebuild()
    took = time.perf_counter() - started
    print(f"  recount of {args.real:,} real cases: {took:.1f} s, {rows:,} tally rows")
    seconds, rows = synthetic(total - args.real, [t.pk for t in teams])
    print(f"  counts of {total - args.real:,} more cases: {seconds:.1f} s; tally now {rows:,} rows")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elif args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Loaded in {time.perf_counter() - loaded:.0f} s: {total:,} cases counted.")

    today = scope.today()
    first = today.replace(day=1) - timedelta(days=YEARS * 365)
    client = casework.sign_in(analyst.username)
    pages = [
        ("dashboard, last 12 months", "/staff/statistics/"),
        ("dashboard, four years", f"/staff/statistics/?start={first:%Y-%m}&end={today:%Y-%m}"),
        ("dashboard, one team", f"/staff/statistics/?team={teams[1].pk}"),
        ("dashboard, one channel", "/staff/statistics/?channel=telegram"),
        ("dashboard, one situation", "/staff/statistics/?situation=summons"),
    ]
    print(f"{args.runs} requests each after 5 warm-up, in-process (server time), {database}:")
    for label, url in pages:
        show(label, client, url, args.runs, 300)
    show("dashboard, a coordinator", casework.sign_in(coordinators[teams[0]].username),
         "/staff/statistics/", args.runs, 300)  # fmt: skip
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    from tropa import vault
    from tropa.accounts.models import Staff

    person = Staff.objects.get(username=analyst.username)
    keys = vault.unwrap_staff_key(person.wrapped_key(), casework.PASSWORD)
    started = time.perf_counter()
    period = releases.parse_period(f"{month:%Y-%m}", today)
    release, _new = releases.publish(period, [k for k, _t in releases.table_titles()], person, keys)
    print(f"  publishing {month:%Y-%m} (once): {(time.perf_counter() - started) * 1000:.0f} ms")
    show("release page", client, f"/impact/{release.period}/1/", args.runs, 300)
    show("/impact/", client, "/impact/", args.runs, 300)


def show(label: str, client: object, url: str, runs: int, budget: int) -> None:
    status, timings = casework.timed(client, url, runs)
    if status != 200:
        print(f"  {label:28} {url}: HTTP {status}")
        return
    ms = sorted(timings)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)] * 1000
    verdict = "within" if p95 <= budget else "OVER"
    print(f"  {label:28} {casework.percentiles(timings)}   ({verdict} the {budget} ms budget)")


if __name__ == "__main__":
    main()
