"""Casework at scale: the triage inbox and a long case page, timed as server time.

Fills a fresh database with --cases generated cases (100,000 by default) and
one real case with 500 timeline entries, signs a coordinator in through the
real sign-in view (TROPA_KDF=interactive), then times in-process with
django.test.Client (so the figure is server time, no network):

  - the inbox, first page               GET /staff/inbox/
  - the inbox, filtered                 GET /staff/inbox/?situation=summons&flag=report_soon
  - the inbox, a deep page              GET /staff/inbox/?page=100
  - the case page with 500 entries      GET /staff/cases/<id>/ (opens on the latest 100)
  - the same with the whole timeline    GET /staff/cases/<id>/?all=1
  - the staff home, "what needs me now"  GET /staff/ (a coordinator, a consultant)
  - the journeys page                   GET /staff/journeys/

each --runs times after a few warm-up requests, and prints p50/p95/max in ms.
Budgets (issue 4): inbox p95 <= 100 ms, case page p95 <= 150 ms; (issue 12)
staff home p95 <= 50 ms. Figures,
not a pass/fail test.

    python bench/casework.py [--cases 100000] [--new-share 0.2] [--runs 50]
    python bench/casework.py --database postgresql://postgres@127.0.0.1:5432/postgres

SQLite: a fresh data directory under /tmp (no ANALYZE, as a fresh install
has none; --analyze runs it). PostgreSQL: --database names a server (and a
database to connect to first); a fresh database `tropa_bench_<random>` is
created there, loaded, given the VACUUM ANALYZE that autovacuum would run
soon after such a load, and dropped at the end (--keep keeps it).

The shortcut, and why it does not flatter the figures: making 100,000 real
case key pairs and sealing each one's copies and answers would take minutes of
pure cryptography that no measured page does. So the script makes --templates
(1,000) real key pairs with real sealed copies (to the intake team key, the
recovery key and the bench coordinator), real sealed answers and a real sealed
message, and reuses those ciphertext blobs across cases. Every case still has
its own Keyring row, its own Envelope rows (intake + recovery while new;
recovery + the team coordinator's copy once triaged), its own Requester row
and, when triaged, its own timeline rows — so every query the pages run
reads and joins tables of the real size. The one case that is opened (500
entries) is made entirely through the real actions: intake, accept, notes,
replies and requester messages.

Shape of the data: --new-share of the cases are new requests (0.2: 20,000
waiting, a flood after a mobilisation announcement); the rest are triaged,
active, in transit, safe, closed, discarded or merged, spread over three
teams, with three timeline entries each; received over the last 60 days
(new ones over the last 14), at hour precision as intake stores them.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "a long benchmark passphrase"  # noqa: S105 (throwaway bench account)
BATCH = 5_000
STATUS_SHARES = [  # of the cases that are not new
    ("triaged", 0.05),
    ("active", 0.45),
    ("in_transit", 0.05),
    ("safe", 0.07),
    ("closed", 0.35),
    ("discarded", 0.02),
    ("merged", 0.01),
]
STORY = "Мне пришла повестка, явиться через неделю. Что делать? " * 6


def fresh_postgres(url: str) -> tuple[str, str]:
    """Create an empty database next to the one `url` names; return (its url, its name)."""
    import psycopg

    name = f"tropa_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name)), name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup(args: argparse.Namespace) -> str:
    data = Path(tempfile.mkdtemp(prefix="tropa-bench-"))
    for key in [k for k in os.environ if k.startswith("TROPA_")]:
        del os.environ[key]
    os.environ.update(
        TROPA_DATA_DIR=str(data),
        TROPA_KDF="interactive",
        DJANGO_SETTINGS_MODULE="tropa.settings",
        TROPA_ALLOWED_HOSTS="testserver",
        TROPA_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    database = "SQLite (WAL) in " + str(data)
    if args.database:
        url, args.created = fresh_postgres(args.database)
        os.environ["TROPA_DATABASE_URL"] = url
        database = f"PostgreSQL, fresh database {args.created}"
    from tropa.cli import bootstrap

    bootstrap.write_secrets(data)
    import django

    django.setup()
    return database


def database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default="", help="postgresql://... server to create a db on")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")


def in_fresh_database(
    args: argparse.Namespace,
    run: Callable[[argparse.Namespace, str], None],
    *,
    migrate: bool = False,
) -> None:
    """Run a benchmark on a fresh data directory (or PostgreSQL database), then
    drop the database unless --keep."""
    args.created = ""
    database = setup(args)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    try:
        run(args, database)
    finally:
        if args.created and not args.keep:
            from django.db import connections

            connections.close_all()
            drop_postgres(args.database, args.created)


def percentiles(timings: list[float]) -> str:
    ms = sorted(t * 1000 for t in timings)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    return f"p50 {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   max {ms[-1]:6.1f} ms"


def make_staff(username: str, role: str, team: object, recovery: object) -> object:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tropa.accounts import actions

    staff = actions.create_staff(
        username=username,
        password=PASSWORD,
        role=role,
        actor=None,
        must_change_password=False,
        team=team,
    )
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=False)
    actions.enrol_two_factor(staff, device)
    if role == "coordinator":
        actions.restore_access(staff, recovery)
    return staff


def generate(args: argparse.Namespace, coordinators: dict, consultants: list) -> None:
    """--cases cases through bulk_create, reusing --templates sets of real ciphertext."""
    from django.db import transaction

    from tropa import vault
    from tropa.cases.models import (
        OPEN_STATUSES,
        Assignment,
        Case,
        Kind,
        LastSeen,
        Message,
        RegionGroup,
        Situation,
    )
    from tropa.core import clock
    from tropa.intake.actions import seal_answers
    from tropa.intake.models import Requester
    from tropa.intake.triage import SITUATION_BASE
    from tropa.keyring import actions as keyring
    from tropa.keyring.models import Envelope, Keyring, Purpose, RecipientKind

    rng = random.Random(4)  # noqa: S311 (test data, not secrets)
    intake_public, recovery_public = keyring.org_public_keys()
    templates = []
    for _ in range(args.templates):
        keys = vault.generate_keypair()
        requester = vault.generate_keypair()
        answers = {"language": "ru", "answers": {"situation": "summons", "story": STORY}}
        templates.append(
            {
                "public": keys.public_key,
                "requester": requester.public_key,
                "intake": vault.seal_secret_key(intake_public, keys),
                "recovery": vault.seal_secret_key(recovery_public, keys),
                "staff": {
                    team: vault.seal_secret_key(bytes(staff.public_key), keys)
                    for team, staff in coordinators.items()
                },
                "answers": seal_answers(answers, [keys.public_key, requester.public_key]),
                "message": vault.seal_to_many(STORY.encode(), [keys.public_key]),
            }
        )
    situations = list(Situation.values)
    regions = list(RegionGroup.values)
    teams = list(coordinators)
    statuses = [s for s, _share in STATUS_SHARES]
    weights = [share for _s, share in STATUS_SHARES]
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    flags = ["flag_report_soon", "flag_illness", "flag_poor_russian", "flag_deceived"]
    made = 0
    while made < args.cases:
        rings, envelopes, cases, requesters, messages, assignments = [], [], [], [], [], []
        seen: list = []
        for i in range(made, min(made + BATCH, args.cases)):
            t = templates[i % len(templates)]
            new = rng.random() < args.new_share
            status = "new" if new else rng.choices(statuses, weights)[0]
            situation = rng.choice(situations)
            coded = {flag: rng.random() < 0.15 for flag in flags}
            priority = SITUATION_BASE[Situation(situation)] + 20 * coded["flag_report_soon"]
            priority += 15 * coded["flag_illness"] + 10 * coded["flag_poor_russian"]
            priority += 15 * coded["flag_deceived"]
            received = now - timedelta(hours=rng.randrange(14 * 24 if new else 60 * 24))
            ring = Keyring(
                id=uuid.uuid4(), purpose=Purpose.CASE, public_key=t["public"], created_at=received
            )
            rings.append(ring)
            envelopes.append(
                Envelope(
                    keyring=ring,
                    recipient_kind=RecipientKind.RECOVERY,
                    recipient_public_key=recovery_public,
                    sealed_secret=t["recovery"],
                )
            )
            team = rng.choice(teams)
            triaged = status not in ("new", "discarded", "merged")
            if status == "new":
                envelopes.append(
                    Envelope(
                        keyring=ring,
                        recipient_kind=RecipientKind.INTAKE,
                        recipient_public_key=intake_public,
                        sealed_secret=t["intake"],
                    )
                )
            elif triaged:
                envelopes.append(
                    Envelope(
                        keyring=ring,
                        recipient_kind=RecipientKind.STAFF,
                        staff=coordinators[team],
                        recipient_public_key=bytes(coordinators[team].public_key),
                        sealed_secret=t["staff"][team],
                    )
                )
            staffed = triaged and status != "triaged"
            case = Case(
                id=uuid.uuid4(),
                keyring=ring,
                staff_count=1 if staffed else 0,
                status=status,
                situation=situation,
                region_group=rng.choice(regions),
                priority=min(priority, 100),
                flag_front=situation == "at_front",
                flag_awol=situation == "awol",
                flag_relative=situation == "relative",
                alias=f"Bench {i}" if triaged else "",
                team=team if triaged else None,
                outcome="left_country" if status == "closed" else "",
                triaged_at=received + timedelta(hours=5) if triaged else None,
                closed_at=received + timedelta(days=20) if status == "closed" else None,
                discarded_at=received if status == "discarded" else None,
                received_at=received,
                updated_at=received,
                message_count=3 if triaged else 0,
                # Four in ten open cases wait for our answer (the staff home's first block)
                waiting_since=received + timedelta(hours=3)
                if status in OPEN_STATUSES and rng.random() < 0.4
                else None,
                replied_at=received + timedelta(hours=2) if triaged else None,
                sealed_intake=t["answers"],
                **coded,
            )
            cases.append(case)
            requesters.append(
                Requester(case=case, lookup_id=secrets.token_bytes(32), public_key=t["requester"])
            )
            if triaged:
                for seq, kind in enumerate((Kind.FROM_REQUESTER, Kind.REPLY, Kind.NOTE), 1):
                    messages.append(
                        Message(
                            case=case,
                            kind=kind,
                            seq=seq,
                            created_at=received + timedelta(hours=seq),
                            sealed_body=t["message"],
                        )
                    )
                if staffed:
                    # Three in ten assigned cases hold something the consultant
                    # has not read; the rest were read to the end (LastSeen)
                    unread = rng.random() < 0.3
                    consultant = rng.choice(consultants)
                    assignments.append(
                        Assignment(
                            case=case,
                            staff=consultant,
                            assigned_at=received,
                            is_open=status in OPEN_STATUSES,
                            waiting_since=case.waiting_since,
                            unread_since=received + timedelta(hours=3) if unread else None,
                        )
                    )
                    if not unread:
                        seen.append(LastSeen(staff=consultant, case=case, seq=3))
        with transaction.atomic():
            Keyring.objects.bulk_create(rings)
            Envelope.objects.bulk_create(envelopes)
            Case.objects.bulk_create(cases)
            Requester.objects.bulk_create(requesters)
            Message.objects.bulk_create(messages)
            Assignment.objects.bulk_create(assignments)
            LastSeen.objects.bulk_create(seen)
        made += len(cases)
        if made % 20_000 == 0 or made == args.cases:
            print(f"  {made:,} cases", flush=True)
    # What assign() keeps for each person: their count of open cases
    from tropa.cases import queue

    queue.recount([consultant.pk for consultant in consultants])


def assistance(consultants: list) -> None:
    """Applications (one open case in 50) and legal deadlines (one in 100),
    some due this week, so that the home page's blocks of them have rows."""
    from datetime import timedelta

    from tropa import vault
    from tropa.assistance.deadlines import ensure_defaults
    from tropa.assistance.models import Application, DeadlineRule, LegalDeadline
    from tropa.cases.models import OPEN_STATUSES, Case, Task
    from tropa.core import clock

    ensure_defaults()
    rule = DeadlineRule.objects.first()
    sealed = vault.seal_to_many(b"{}", [vault.generate_keypair().public_key])
    rng = random.Random(7)
    today = clock.now().date()
    open_cases = list(Case.objects.filter(status__in=OPEN_STATUSES).values_list("pk", "team_id"))
    apps, tasks, deadlines = [], [], []
    for n, (case_id, team_id) in enumerate(open_cases):
        if n % 50 == 0:
            apps.append(
                Application(
                    case_id=case_id,
                    team_id=team_id,
                    country="DE",
                    route="humanitarian",
                    stage="submitted",
                    next_date=today + timedelta(days=rng.randint(-10, 60)),
                    items=7,
                    items_ready=rng.randint(5, 7),
                    sealed_details=sealed,
                )
            )
        if n % 100 == 0:
            due = today + timedelta(days=rng.randint(-5, 60))
            task = Task(
                case_id=case_id,
                owner=rng.choice(consultants),
                sealed_title=sealed,
                due_at=clock.now() + timedelta(days=(due - today).days - 2),
                kind="legal",
            )
            tasks.append(task)
            deadlines.append(
                LegalDeadline(
                    case_id=case_id,
                    team_id=team_id,
                    rule=rule,
                    event_on=today,
                    due_on=due,
                    task=task,
                )
            )
    Application.objects.bulk_create(apps, batch_size=BATCH)
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    LegalDeadline.objects.bulk_create(deadlines, batch_size=BATCH)
    print(f"  {len(apps):,} applications, {len(deadlines):,} legal deadlines")


def long_case(coordinator: object, consultant: object, entries: int) -> object:
    """One real case: intake, accept, assign, then `entries` timeline entries."""
    from django.db import transaction

    from tropa import vault
    from tropa.cases import actions
    from tropa.cases import triage as case_triage
    from tropa.intake import actions as intake

    coordinator_keys = vault.unwrap_staff_key(coordinator.wrapped_key(), PASSWORD)
    consultant_keys = vault.unwrap_staff_key(consultant.wrapped_key(), PASSWORD)
    answers = {"situation": "summons", "region": "tatarstan", "story": STORY}
    codename, case = intake.submit_request(answers, "ru")
    case = case_triage.accept(case, coordinator, coordinator_keys)
    actions.assign(case, consultant, coordinator, coordinator_keys)
    requester, who = intake.find_requester(codename)
    with transaction.atomic():
        while case.messages.count() < entries:
            n = case.messages.count()
            text = f"Сообщение {n}: " + STORY[: 40 + n % 300]
            if n % 3 == 0:
                intake.send_message(requester, who, text, [])
            elif n % 3 == 1:
                actions.reply(case, consultant, consultant_keys, text)
            else:
                actions.note(case, consultant, consultant_keys, text)
    return case


def sign_in(username: str) -> object:
    from django.test import Client
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    client = Client()
    response = client.post(
        "/staff/login/", {"username": username, "password": PASSWORD, "code": code}
    )
    assert response.status_code == 302, response.status_code
    return client


def timed(client: object, url: str, runs: int) -> tuple[int, list[float]]:
    status = 0
    for _ in range(5):
        status = client.get(url).status_code  # type: ignore[attr-defined]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        status = client.get(url).status_code  # type: ignore[attr-defined]
        timings.append(time.perf_counter() - started)
    return status, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--new-share", type=float, default=0.2, help="share of new requests")
    parser.add_argument("--templates", type=int, default=1_000, help="distinct real keyrings")
    parser.add_argument("--entries", type=int, default=500, help="timeline of the long case")
    parser.add_argument("--runs", type=int, default=50)
    database_arguments(parser)
    parser.add_argument("--analyze", action="store_true", help="ANALYZE after loading (SQLite)")
    parser.add_argument(
        "--blocks", action="store_true", help="also time each home-page provider on its own"
    )
    in_fresh_database(parser.parse_args(), run)


def run(args: argparse.Namespace, database: str) -> None:
    from django.db import connection

    from tropa.accounts.models import Team
    from tropa.cases.models import Case, Status
    from tropa.cli import bootstrap

    started = time.perf_counter()
    recovery = bootstrap.initialise_org("admin").recovery
    teams = [Team.objects.get_or_create(name=name)[0] for name in ("Main", "South", "East")]
    coordinators = {
        team: make_staff(f"coord{n}", "coordinator", team, recovery) for n, team in enumerate(teams)
    }
    consultants = [make_staff(f"cons{n}", "consultant", teams[0], None) for n in range(20)]
    print(f"Generating {args.cases:,} cases on {database} ...")
    generate(args, coordinators, consultants)
    assistance(consultants)
    case = long_case(coordinators[teams[0]], consultants[0], args.entries)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics, and the
        # visibility map that lets the inbox counts scan only the index.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elif args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    new = Case.objects.filter(status=Status.NEW).count()
    print(
        f"Loaded in {time.perf_counter() - started:.0f} s: {Case.objects.count():,} cases "
        f"({new:,} new), the long case has {case.messages.count()} entries."
    )

    client = sign_in(coordinators[teams[0]].username)
    pages = [
        ("inbox, first page", "/staff/inbox/", 100),
        ("inbox, filtered", "/staff/inbox/?situation=summons&flag=report_soon", 100),
        ("inbox, page 100", "/staff/inbox/?page=100", 100),
        ("discarded list", "/staff/inbox/discarded/", 100),
        (f"case page, {args.entries} entries", f"/staff/cases/{case.pk}/", 150),
        ("  the same, whole timeline", f"/staff/cases/{case.pk}/?all=1", 150),
        ("staff home, coordinator", "/staff/", 50),
        ("journeys, coordinator", "/staff/journeys/", 100),
    ]
    print(f"{args.runs} requests each after 5 warm-up, in-process (server time), {database}:")
    for label, url, budget in pages:
        status, timings = timed(client, url, args.runs)
        if status != 200:
            print(f"  {label:28} {url}: HTTP {status} (not available yet)")
            continue
        ms = sorted(timings)
        p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)] * 1000
        verdict = "within" if p95 <= budget else "OVER"
        print(f"  {label:28} {percentiles(timings)}   ({verdict} the {budget} ms budget)")
    # A consultant's home: their own cases among the 100,000
    consultant = sign_in(consultants[0].username)
    status, timings = timed(consultant, "/staff/", args.runs)
    ms = sorted(timings)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)] * 1000
    verdict = "within" if p95 <= 50 else "OVER"
    print(f"  {'staff home, consultant':28} {percentiles(timings)}   ({verdict} the 50 ms budget)")
    if args.blocks:
        for who, home_client in (("coordinator", client), ("consultant", consultant)):
            by_block(who, home_client, args.runs)


def by_block(who: str, client: object, runs: int) -> None:
    """Each home-page provider's share of the page, timed inside the requests."""
    from tropa.core import home

    spent: dict[str, list[float]] = {}
    providers = list(home.PROVIDERS._items)

    def timing(provider: home.Provider) -> home.Provider:
        name = f"{provider.__module__.removeprefix('tropa.')}.{provider.__name__}"

        def timed_provider(request: object) -> list[home.Block]:
            started = time.perf_counter()
            try:
                return provider(request)  # type: ignore[arg-type]
            finally:
                spent.setdefault(name, []).append(time.perf_counter() - started)

        return timed_provider

    home.PROVIDERS._items[:] = [timing(p) for p in providers]
    try:
        timed(client, "/staff/", runs)
    finally:
        home.PROVIDERS._items[:] = providers
    print(f"  home blocks, {who} (each provider, {runs} requests + 5 warm-up):")
    for name, timings in sorted(spent.items(), key=lambda item: -statistics.median(item[1])):
        print(f"    {name:40} {percentiles(timings)}")


if __name__ == "__main__":
    main()
