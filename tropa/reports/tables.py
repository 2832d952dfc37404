"""A table of counts: what every view of the statistics is made of, drawn as
a chart and as the table beneath it, and what a release publishes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _


@dataclass
class Table:
    key: str  # a stable id: the anchor, the export's name, the release's table
    title: str
    row_title: str
    rows: list[tuple[str, str]]  # (key, label)
    columns: list[tuple[str, str]]
    cells: list[list[Any]]  # rows x columns: int, or a string such as "<10"
    chart: str = "lines"  # "lines" over time, "bars" across categories
    note: str = ""  # what the figures count, in a sentence
    totals: bool = True
    row_totals: list[Any] = field(default_factory=list)
    column_totals: list[Any] = field(default_factory=list)
    total: Any = None

    def __post_init__(self) -> None:
        if (
            self.totals
            and not self.row_totals
            and all(isinstance(v, int) for row in self.cells for v in row)
        ):
            self.row_totals = [sum(row) for row in self.cells]
            self.column_totals = [sum(col) for col in zip(*self.cells, strict=True)] or [
                0 for _c in self.columns
            ]
            self.total = sum(self.row_totals)

    @property
    def lines(self) -> list[tuple[str, list[tuple[str, Any]], Any]]:
        return lines_of(self.rows, self.columns, self.cells, self.row_totals)

    @property
    def footer(self) -> list[tuple[str, Any]]:
        return [
            (label, v) for (_k, label), v in zip(self.columns, self.column_totals, strict=False)
        ]

    @property
    def empty(self) -> bool:
        return not any(isinstance(v, int) and v for row in self.cells for v in row)

    def summary(self) -> str:
        """The chart in words, for a screen reader and anyone who skims."""
        if self.empty:
            return _("No counts in this view for the chosen filters.")
        sums = [
            (label, sum(row[i] for row in self.cells if isinstance(row[i], int)))
            for i, (_key, label) in enumerate(self.columns)
        ]
        label, most = max(sums, key=lambda pair: pair[1])
        first, last = self.rows[0][1], self.rows[-1][1]
        if self.total is not None and len(self.rows) > 1:
            said = _("%(total)s in all from %(first)s to %(last)s; the most: %(label)s (%(n)s).")
            return said % {
                "total": self.total, "first": first, "last": last, "label": label, "n": most,
            }  # fmt: skip
        return _("The most: %(label)s (%(n)s).") % {"label": label, "n": most}


def lines_of(
    rows: list[tuple[str, str]],
    columns: list[tuple[str, str]],
    cells: list[list[Any]],
    row_totals: list[Any],
) -> list[tuple[str, list[tuple[str, Any]], Any]]:
    """Each row's label, its cells with their column's label, and its total:
    what a table's template draws (a phone shows each row as a card)."""
    totals = row_totals or [None] * len(rows)
    names = [label for _key, label in columns]
    return [
        (label, list(zip(names, values, strict=True)), total)
        for (_key, label), values, total in zip(rows, cells, totals, strict=True)
    ]


def months_between(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def month_label(month: date) -> str:
    return formats.date_format(month, "M Y")


def grid(
    rows: list[tuple[str, str]],
    columns: list[tuple[str, str]],
    counts: dict[tuple[str, str], int],
) -> list[list[int]]:
    return [[counts.get((r, c), 0) for c, _l in columns] for r, _rl in rows]


def choices(
    pairs: Iterable[tuple[str, Any]], keep: Callable[[str], bool] | None = None
) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in pairs if keep is None or keep(str(k))]
