"""Every row version the application writes, as an adversary with an image sees them.

A running database keeps old row versions (PostgreSQL's dead tuples and WAL,
SQLite's WAL): an image holds every value a row ever had. The seizure tests
record each INSERT, UPDATE and DELETE the application sends, with its
parameters, and search or compare them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)
_SET_COLUMNS = re.compile(r'"?(\w+)"?\s*=\s*%s')
_TIME = re.compile(r"\d{4}-\d\d-\d\d([ T][\d:.]+([+-]\d\d:?\d\d)?)?")
_HEX_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Write:
    statement: str  # INSERT, UPDATE or DELETE
    table: str
    columns: tuple[str, ...]  # of the values written, in order (empty for DELETE)
    values: tuple[object, ...]  # every parameter, as sent

    @property
    def row(self) -> dict[str, object]:
        """Column -> value of the first row written."""
        return dict(zip(self.columns, self.values, strict=False))


def _columns(sql: str) -> tuple[str, ...]:
    statement = sql.lstrip().upper()
    if statement.startswith("INSERT"):
        names = re.search(r"\((.*?)\)\s*VALUES", sql, re.S)
        assert names, sql
        return tuple(name.strip().strip('"') for name in names.group(1).split(","))
    if statement.startswith("UPDATE"):
        return tuple(_SET_COLUMNS.findall(re.split(r"\sWHERE\s", sql, flags=re.I)[0]))
    return ()


@contextmanager
def every_write(writes: list[Write], tables: tuple[str, ...] = ()) -> Iterator[None]:
    """Record each write to `tables` (every table when empty) on the default connection."""

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        match = _TABLE.match(sql)
        if match and (not tables or match.group(1) in tables):
            statement = sql.lstrip().split(None, 1)[0].upper()
            for values in params if many else [params]:
                writes.append(Write(statement, match.group(1), _columns(sql), tuple(values or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield


def raw_bytes(value: object) -> bytes:
    """A bytes parameter as written (psycopg wraps them in a Binary)."""
    return bytes(getattr(value, "obj", value) or b"")  # type: ignore[call-overload]


def shape(writes: list[Write]) -> list[tuple[object, ...]]:
    """The writes with what is unique to one case made anonymous: ciphertext and
    random strings by length only, ids (by column name or form) numbered in
    order of first appearance.
    Two actions whose shapes are equal leave rows that cannot be told apart
    without a key; times, counts, kinds, stages and recipients still count."""
    ids: dict[str, int] = {}

    def anonymous(column: str, value: object) -> object:
        value = getattr(value, "obj", value)
        if column == "session_data" and isinstance(value, str):
            # Signed and compressed: its length varies by chance; what it holds counts.
            held = SessionStore().decode(value)
            return ("session", tuple(sorted((k, anonymous("", v)) for k, v in held.items())))
        if value is not None and (column == "id" or column.endswith("_id")):
            return ("id", ids.setdefault(str(value).replace("-", ""), len(ids)))
        if isinstance(value, bytes | bytearray | memoryview):
            return ("bytes", len(bytes(value)))
        if isinstance(value, uuid.UUID):
            value = value.hex
        if isinstance(value, str) and _HEX_ID.fullmatch(value):
            return ("id", ids.setdefault(value.replace("-", ""), len(ids)))
        if isinstance(value, str) and len(value) > 16 and not _TIME.fullmatch(value):
            return ("text", len(value))
        return value

    def columns(write: Write) -> list[str]:
        return [*write.columns, *[""] * (len(write.values) - len(write.columns))]

    return [
        (w.statement, w.table, w.columns, tuple(map(anonymous, columns(w), w.values)))
        for w in writes
    ]
