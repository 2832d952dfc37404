"""The Telegram bot under a mobilisation-day burst.

--people (500) people write to the bot at once: /start, the language, "write
in my own words", their story, and one more message each (five updates a
person). All the updates are queued in a fake Bot API server on loopback
(tropa/channels/tests/fakebot.py) before the bot starts, as after an outage or
an announcement. Then the real runner (tropa.channels.runner.Runner, through
python-telegram-bot over HTTP) takes them 100 at a time, storing each in its
own transaction, and the real outbox delivers every answer.

It prints: updates stored per second, requests made per second, messages
delivered per second, the per-update storing time (p50/p99), and the wall time
until every person had every answer.

    python bench/bot.py [--people 500]
    python bench/bot.py --database postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import casework  # noqa: E402  (bench/casework.py: a fresh data directory or database)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * len(ordered))) - 1)]


def run(args: argparse.Namespace, database: str) -> None:
    from tropa.cases.models import Case
    from tropa.channels import conversation, delivery
    from tropa.channels.api import Api
    from tropa.channels.models import Outgoing
    from tropa.channels.runner import Runner
    from tropa.keyring.actions import create_org_keys
    from tropa.testing.fakebot import FakeBotApi

    create_org_keys()
    timings: list[float] = []
    real_process = conversation.process

    def timed(update, download):
        started = time.perf_counter()
        try:
            return real_process(update, download)
        finally:
            timings.append(time.perf_counter() - started)

    conversation.process = timed
    with FakeBotApi() as fake:
        people = [fake.person() for _ in range(args.people)]
        for number, person in enumerate(people):
            person.says("/start")
            person.presses("lang:ru")
            person.presses("mode:free")
            person.says(f"Мне пришла повестка, номер {number}. Что делать?")
            person.says("Ещё одно сообщение")
        updates = 5 * len(people)
        api = Api(fake.token, fake.base_url.removesuffix("/bot"), poll_seconds=0)
        runner = Runner(api)
        runner.start()
        started = time.perf_counter()
        stored = 0
        while stored < updates:
            stored += runner.poll_once(timeout=0)
        stored_at = time.perf_counter()
        sent = 0
        while Outgoing.objects.filter(delivered_at=None, failed_at=None).exists():
            sent += delivery.deliver_pending(api)
        done = time.perf_counter()
        api.close()
    requests = Case.objects.count()
    print(f"Telegram burst, {args.people} people, {updates} updates; {database}")
    print(
        f"  storing:    {updates / (stored_at - started):7.1f} updates/s, "
        f"{requests / (stored_at - started):6.1f} requests/s "
        f"({stored_at - started:.1f} s)"
    )
    print(
        f"  per update: p50 {statistics.median(timings) * 1000:.1f} ms, "
        f"p99 {pct(timings, 0.99) * 1000:.1f} ms (storing only, no HTTP)"
    )
    print(
        f"  delivering: {sent / (done - stored_at):7.1f} messages/s ({sent} messages, "
        f"{done - stored_at:.1f} s)"
    )
    print(f"  everyone answered after {done - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=500)
    casework.database_arguments(parser)
    casework.in_fresh_database(parser.parse_args(), run, migrate=True)


if __name__ == "__main__":
    main()
