"""Counts for statistics, kept in step with what they count.

An app says what one of its rows contributes (its "facts": a Counter of Keys),
and wraps every change to a counted field in `counted`: the difference between
the facts before and after goes into the Tally table in the same transaction.
So the tally is exact at every commit, needs no rebuild to be current, and
keeps a content-free count of what a shredded case was. Rows are upserted with
`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`, which SQLite and
PostgreSQL both run atomically: two writers never lose a count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from tropa.core.models import Tally


class Key(NamedTuple):
    measure: str
    day: date
    team: int = 0
    channel: str = ""
    situation: str = ""
    region: str = ""
    value: str = ""


Facts = Counter[Key]


def local_day(moment: datetime) -> date:
    """The helpline's calendar day of a moment (statistics count local days)."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def month_of(moment: datetime) -> date:
    return local_day(moment).replace(day=1)


def apply(changes: Facts) -> None:
    """Add each (possibly negative) count to its row."""
    rows = [(key, n) for key, n in sorted(changes.items()) if n]
    if not rows:
        return
    table = Tally._meta.db_table
    sql = (
        f"INSERT INTO {table} (measure, day, team, channel, situation, region, value, n) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (measure, day, team, channel, situation, region, value) "
        f"DO UPDATE SET n = {table}.n + excluded.n"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*key, n) for key, n in rows])


def difference(before: Facts, after: Facts) -> Facts:
    changes: Facts = Counter()
    for key in before.keys() | after.keys():
        changes[key] = after[key] - before[key]
    return changes


@contextmanager
def counted(row: Any, facts: Callable[[Any], Facts]) -> Iterator[None]:
    """Count the change the block makes to `row` (its attributes, as saved).
    Call inside the transaction that saves it."""
    before = facts(row)
    yield
    apply(difference(before, facts(row)))


def replace_all(facts: Facts) -> None:
    """Start the tally again from these counts (`tropa stats rebuild`)."""
    Tally.objects.all().delete()
    apply(facts)
