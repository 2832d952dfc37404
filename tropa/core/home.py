"""The staff home page, "what needs me now": blocks each app contributes.

A block is a count and its first lines, each line a link. Each app that has
something for the home page registers one provider from its wiring module; a
provider gets the request and returns the blocks for that person's role (none
when it has nothing for them). Blocks read plaintext metadata; the one
exception is said where it is made (tropa/journeys/home.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest

from tropa.core.registry import Registry

# How many lines a block shows; its count says how many there are in all.
LINES = 8
# How far a count goes: past it a block says "1000+" and its list gives the
# exact figure. Counting stops there, so the page costs the same with 2,000
# cases waiting as with 20,000 (docs/workspace.md, "How it stays fast").
CAP = 1000


@dataclass
class Line:
    text: str
    url: str = ""
    note: str = ""  # what to know at a glance: "waiting 5 h", "3 unread"
    when: datetime | None = None
    tone: str = ""  # "danger" or "warn": drawn in red or amber
    warning: str = ""  # a sentence in bold above the line (a possible duress)


@dataclass
class Block:
    key: str  # a stable id: the block's anchor and its tests' handle
    title: str
    count: int
    lines: list[Line] = field(default_factory=list)
    more_url: str = ""
    empty: str = ""  # said when the count is 0
    tone: str = ""  # of the block, when its count is not 0
    order: int = 100  # lower first: what can cost a life at the top
    capped: bool = False  # there are more than CAP: the count shows "1000+"

    def __post_init__(self) -> None:
        if self.count > CAP:
            self.count, self.capped = CAP, True

    @property
    def shown(self) -> str:
        return f"{CAP}+" if self.capped else str(self.count)


def capped_counts(
    counted: dict[str, QuerySet[Any] | tuple[QuerySet[Any], ...]],
) -> dict[str, int]:
    """How many rows each queryset has, counting no further than CAP + 1,
    all in one statement (on PostgreSQL each query is a round trip to the
    server); a name given several querysets gets the sum of their counts
    (two ranges of one index, say). Each should be a values() queryset of a
    column its index holds, so that counting reads the index only; the SQL
    is Django's own."""
    if not counted:
        return {}
    names, parts, params = [], [], []
    for name, given in counted.items():
        for rows in given if isinstance(given, tuple) else (given,):
            sql, more = rows.order_by()[: CAP + 1].query.sql_with_params()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608 (Django's SQL, its params apart)
            params.extend(more)
            names.append(name)
    found = dict.fromkeys(counted, 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        for name, n in zip(names, cursor.fetchone(), strict=True):
            found[name] += n
    return found


def shown(n: int) -> str:
    """A count as the page shows it: "1000+" past the cap."""
    return f"{CAP}+" if n > CAP else str(n)


Provider = Callable[[HttpRequest], list[Block]]
PROVIDERS: Registry[Provider] = Registry("staff home blocks")


def blocks_for(request: HttpRequest) -> list[Block]:
    found = [block for provider in PROVIDERS for block in provider(request)]
    return sorted(found, key=lambda block: (block.order, block.key))
