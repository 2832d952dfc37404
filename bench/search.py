"""Staff search at the sizes issue 12 names, timed as server time.

Two people, each with their own cases, all real cryptography:

  - a consultant with --cases (50) cases of --entries (500) timeline entries
  - a coordinator whose team has --team-cases (2,000) cases of --team-entries (20)

Every entry is sealed for real (requester messages, replies and notes, each
to the case key), each case's search index is real (a full sealed row built
by tropa/cases/search_index.rebuild, as a first search builds it), and the
searches go through the real page (POST /staff/search/, django.test.Client,
in-process). Budgets (issue 12): p95 <= 1 s for the consultant, <= 3 s for
the coordinator. Figures, not a pass/fail test. The first search of a case
that has no index yet (an older case) builds it: timed once, separately.

    python bench/search.py [--cases 50] [--entries 500] [--team-cases 2000] [--runs 20]
    python bench/search.py --database postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from casework import (  # noqa: E402 (after the path is set)
    PASSWORD,
    database_arguments,
    in_fresh_database,
    make_staff,
    percentiles,
    sign_in,
)

WORDS = [
    "повестка",
    "военкомат",
    "юрист",
    "адвокат",
    "граница",
    "паспорт",
    "справка",
    "контракт",
    "часть",
    "командир",
    "госпиталь",
    "диагноз",
    "отказ",
    "альтернативная",
    "служба",
    "Казахстан",
    "Грузия",
    "Армения",
    "поезд",
    "автобус",
    "документы",
    "родственник",
    "мама",
    "брат",
    "деньги",
    "билет",
    "консульство",
    "виза",
    "убежище",
]
QUERIES = [
    ("a common word", "повестку"),
    ("two words", "юрист граница"),
    ("a rare word", "рододендрон"),
    ("nothing matches", "звездолёт"),
]


def text(rng: random.Random, n: int) -> str:
    return f"Запись {n}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))


def fill(case, keys, entries: int, rng: random.Random, rare: bool) -> None:  # type: ignore[no-untyped-def]
    """`entries` real sealed entries on the case, then its real full index."""
    from django.db import transaction

    from tropa import vault
    from tropa.cases import search_index
    from tropa.cases.models import Case, Kind, Message
    from tropa.core import clock

    kinds = [Kind.FROM_REQUESTER, Kind.REPLY, Kind.NOTE]
    case.refresh_from_db()
    first = case.message_count  # after the accept and assign events
    rows = []
    for n in range(1, entries + 1):
        body = text(rng, n) + (" рододендрон" if rare and n == entries // 2 else "")
        rows.append(
            Message(
                case=case,
                kind=kinds[n % 3],
                seq=first + n,
                created_at=clock.now(),
                sealed_body=vault.seal_to_many(body.encode(), [keys.public_key]),
            )
        )
    with transaction.atomic():
        Message.objects.bulk_create(rows, batch_size=1000)
        Case.objects.filter(pk=case.pk).update(message_count=first + entries)
        case.refresh_from_db()
        search_index.rebuild(case, keys)


def people_with_cases(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from tropa import vault
    from tropa.accounts.models import Team
    from tropa.cases import actions
    from tropa.cases import triage as case_triage
    from tropa.cli import bootstrap
    from tropa.intake import actions as intake

    recovery = bootstrap.initialise_org("admin").recovery
    team = Team.objects.get_or_create(name="Main")[0]
    coordinator = make_staff("coord", "coordinator", team, recovery)
    consultant = make_staff("cons", "consultant", team, None)
    coordinator_keys = vault.unwrap_staff_key(coordinator.wrapped_key(), PASSWORD)
    rng = random.Random(12)  # noqa: S311 (test data)
    answers = {"situation": "summons", "region": "tatarstan", "story": "Пришла повестка."}

    def new_case(assign: bool):  # type: ignore[no-untyped-def]
        # Telegram's path: no codename to derive, the same sealing otherwise.
        case = intake.create_case(answers, "ru", channel="telegram")
        case = case_triage.accept(case, coordinator, coordinator_keys)
        if assign:
            actions.assign(case, consultant, coordinator, coordinator_keys)
        return case, actions.open_case(case, coordinator, coordinator_keys)

    started = time.perf_counter()
    for i in range(args.cases):
        case, keys = new_case(assign=True)
        fill(case, keys, args.entries, rng, rare=i == 7)
    print(
        f"  consultant: {args.cases} cases x {args.entries} entries"
        f" in {time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    for i in range(args.team_cases - args.cases):
        case, keys = new_case(assign=False)
        fill(case, keys, args.team_entries, rng, rare=i == 100)
        if (i + 1) % 500 == 0:
            print(f"  team: {i + 1} more cases", flush=True)
    print(f"  team: {args.team_cases} cases in all, in {time.perf_counter() - started:.0f} s")
    return coordinator, consultant


def timed_search(client, query: str, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(2):
        client.post("/staff/search/", {"q": query})
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post("/staff/search/", {"q": query})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return timings


def run(args: argparse.Namespace, database: str) -> None:
    from tropa.cases.models import SearchIndex

    print(f"Filling {database} ...")
    coordinator, consultant = people_with_cases(args)
    clients = {}
    for person, budget in ((consultant, 1000), (coordinator, 3000)):
        client = clients[person.username] = sign_in(person.username)
        label = f"{person.role} ({person.username})"
        print(f"{label}: {args.runs} searches each after 2 warm-up, in-process (server time):")
        for what, query in QUERIES:
            timings = timed_search(client, query, args.runs)
            p95 = sorted(timings)[max(0, int(round(0.95 * len(timings))) - 1)] * 1000
            verdict = "within" if p95 <= budget else "OVER"
            print(f"  {what:18} {percentiles(timings)}   ({verdict} the {budget} ms budget)")
    # An older case has no index: the first search builds it from the case itself.
    SearchIndex.objects.filter(case__assignments__staff=consultant).delete()
    client = clients[consultant.username]  # a second sign-in would reuse a TOTP code
    started = time.perf_counter()
    client.post("/staff/search/", {"q": "повестку"})
    print(
        f"consultant, first search of {args.cases} cases without an index "
        f"(builds them, once): {(time.perf_counter() - started) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=50, help="the consultant's cases")
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--team-cases", type=int, default=2_000, help="the coordinator's team")
    parser.add_argument("--team-entries", type=int, default=20)
    parser.add_argument("--runs", type=int, default=20)
    database_arguments(parser)
    in_fresh_database(parser.parse_args(), run, migrate=True)


if __name__ == "__main__":
    main()
