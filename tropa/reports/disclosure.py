"""Disclosure control for published statistics: what makes a released figure
safe to print, whatever else has been printed before.

Rules, in order (docs/statistics.md says them in plain words):

1. Primary suppression: a count from 1 to THRESHOLD - 1 is shown as "<10".
   A zero is shown as 0: it describes no one.
2. Secondary suppression: in every line of the table (a row with its total, a
   column with its total, the row of column totals with the grand total, the
   column of row totals with it), either nothing is suppressed or at least two
   entries are; otherwise the one hidden entry is the line's total minus the
   others. Each time a line has exactly one, the smallest non-zero visible
   entry of that line (a cell before a total) is suppressed too, until no line
   has exactly one.
3. Rounding: every figure still shown is rounded to the nearest BASE (halves
   up). Totals are the rounded true totals, not the sums of rounded cells.
4. No differencing between releases: an entry that an earlier release
   printed under the same table, row and column (a cumulative total printed
   every month, or the same month in a superseding release) keeps the figure
   printed then until the true count has moved by at least THRESHOLD since
   that figure's own count. So subtracting two releases shows either no change
   or a change of THRESHOLD or more, never a small group.

Pure functions on integers: no database, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THRESHOLD = 10
BASE = 5
HIDDEN = "<{threshold}"

# An entry of a table with its margins: ("cell", r, c), ("row", r), ("col", c), ("all",).
Entry = tuple


@dataclass(frozen=True)
class Rules:
    threshold: int = THRESHOLD
    base: int = BASE

    @property
    def hidden(self) -> str:
        return HIDDEN.format(threshold=self.threshold)

    def as_dict(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "rounding": self.base,
            "secondary_suppression": True,
            "no_differencing": True,
            "noise": None,
        }


@dataclass
class Released:
    """A table made safe: every entry's printed figure and the true count behind
    it (the basis the next release compares with; never printed)."""

    cells: list[list[object]]
    row_totals: list[object]
    column_totals: list[object]
    total: object
    basis: dict[str, int] = field(default_factory=dict)


def round_to(value: int, base: int) -> int:
    return ((value + base // 2) // base) * base if base > 1 else value


def _lines(rows: int, cols: int) -> list[list[Entry]]:
    """Each additive line: its entries, the total last."""
    lines: list[list[Entry]] = []
    for r in range(rows):
        lines.append([*(("cell", r, c) for c in range(cols)), ("row", r)])
    for c in range(cols):
        lines.append([*(("cell", r, c) for r in range(rows)), ("col", c)])
    lines.append([*(("col", c) for c in range(cols)), ("all",)])
    lines.append([*(("row", r) for r in range(rows)), ("all",)])
    return lines


def suppressed(cells: list[list[int]], rules: Rules, *, margins: bool = True) -> set[Entry]:
    """Which entries (cells and margins) must not be printed. Without margins
    (a table whose columns do not add up) only the small cells."""
    rows, cols = len(cells), len(cells[0]) if cells else 0
    value: dict[Entry, int] = {}
    for r in range(rows):
        for c in range(cols):
            value[("cell", r, c)] = cells[r][c]
        value[("row", r)] = sum(cells[r])
    for c in range(cols):
        value[("col", c)] = sum(cells[r][c] for r in range(rows))
    value[("all",)] = sum(value[("row", r)] for r in range(rows))
    hidden = {e for e, v in value.items() if 0 < v < rules.threshold}
    lines = _lines(rows, cols) if margins else []
    if not margins:
        hidden = {e for e in hidden if e[0] == "cell"}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(e in hidden for e in line) != 1:
                continue
            visible = [e for e in line if e not in hidden and value[e] > 0]
            if not visible:  # only zeros left: nothing to recover, all are 0
                continue
            # A cell before a total, the smallest first: the least lost.
            visible.sort(key=lambda e: (e[0] in ("row", "col", "all"), value[e]))
            hidden.add(visible[0])
            changed = True
    return hidden


def release(
    cells: list[list[int]],
    rules: Rules,
    earlier: dict[str, tuple[object, int]] | None = None,
    names: tuple[list[str], list[str]] | None = None,
    *,
    margins: bool = True,
) -> Released:
    """Make one table safe to print.

    `names` gives each row and column a stable key (so a later release can find
    the same entry); `earlier` maps such an entry key to the figure printed for
    it last time and the true count behind that figure.
    """
    earlier = earlier or {}
    rows, cols = len(cells), len(cells[0]) if cells else 0
    row_names, col_names = names or ([str(r) for r in range(rows)], [str(c) for c in range(cols)])
    hidden = suppressed(cells, rules, margins=margins)
    basis: dict[str, int] = {}

    def key(entry: Entry) -> str:
        kind, *at = entry
        if kind == "cell":
            return f"cell/{row_names[at[0]]}/{col_names[at[1]]}"
        if kind == "row":
            return f"row/{row_names[at[0]]}"
        if kind == "col":
            return f"col/{col_names[at[0]]}"
        return "all"

    def printed(entry: Entry, true: int) -> object:
        if entry in hidden:
            return rules.hidden
        before = earlier.get(key(entry))
        if (
            before is not None
            and isinstance(before[0], int)
            and abs(true - before[1]) < rules.threshold
        ):
            basis[key(entry)] = before[1]
            return before[0]
        basis[key(entry)] = true
        return round_to(true, rules.base)

    out = [[printed(("cell", r, c), cells[r][c]) for c in range(cols)] for r in range(rows)]
    row_totals = [printed(("row", r), sum(cells[r])) for r in range(rows)]
    column_totals = [
        printed(("col", c), sum(cells[r][c] for r in range(rows))) for c in range(cols)
    ]
    total = printed(("all",), sum(sum(row) for row in cells))
    return Released(out, row_totals, column_totals, total, basis)
