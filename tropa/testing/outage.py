"""A database that goes away on demand, for fault tests.

`database_away()` makes every query on this thread's connection fail as a
lost PostgreSQL connection or a locked SQLite database does, until the block
ends; the connection object survives, so code that closes and reconnects
meets the outage again, as it would against a real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection

# What the "database" says: a log must not repeat it (it could quote row values).
SAID = "the database is unreachable (test outage)"


def _refuse(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    raise OperationalError(SAID)


@contextmanager
def database_away() -> Iterator[None]:
    with connection.execute_wrapper(_refuse):
        yield
