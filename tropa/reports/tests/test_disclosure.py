"""Disclosure control on its own: no small count printed, no hidden count
recoverable from a table's totals, none from subtracting two releases."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tropa.reports.disclosure import Rules, release, round_to, suppressed

RULES = Rules()
small = st.integers(min_value=0, max_value=40)
tables = st.integers(1, 6).flatmap(
    lambda cols: st.lists(st.lists(small, min_size=cols, max_size=cols), min_size=1, max_size=7)
)


def lines(cells, made):
    """Each additive line of the printed table: its figures, the total last."""
    rows, cols = len(cells), len(cells[0])
    for r in range(rows):
        yield [*made.cells[r], made.row_totals[r]]
    for c in range(cols):
        yield [*(made.cells[r][c] for r in range(rows)), made.column_totals[c]]
    yield [*made.column_totals, made.total]
    yield [*made.row_totals, made.total]


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_printed_figure_is_a_small_group(cells):
    made = release(cells, RULES)
    printed = [*sum(made.cells, []), *made.row_totals, *made.column_totals, made.total]
    for figure in printed:
        assert figure == RULES.hidden or figure == 0 or figure >= RULES.threshold
        if isinstance(figure, int):
            assert figure % RULES.base == 0


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_figure_is_the_total_minus_the_others(cells):
    """The adversary's first move: in a line with one hidden figure, that figure is
    the total less the rest. No line may have exactly one."""
    made = release(cells, RULES)
    for line in lines(cells, made):
        assert sum(figure == RULES.hidden for figure in line) != 1


def test_a_single_small_cell_hides_a_second_one_in_its_row_and_column():
    cells = [[3, 40, 50], [20, 30, 60]]
    made = release(cells, RULES)
    assert made.cells[0][0] == "<10"
    hidden = suppressed(cells, RULES)
    # the smallest visible figure of its row (40) and column (20) go too
    assert ("cell", 0, 1) in hidden and ("cell", 1, 0) in hidden
    assert made.row_totals == [95, 110] and made.total == 205  # rounded true totals


def test_figures_are_rounded_to_five_and_totals_on_their_own():
    assert [round_to(v, 5) for v in (10, 12, 13, 17, 18, 1002)] == [10, 10, 15, 15, 20, 1000]
    made = release([[12, 13]], RULES)
    assert made.cells == [[10, 15]] and made.total == 25  # 12 + 13, rounded once


def subtract(earlier: dict, later: dict) -> dict:
    return {k: later[k] - earlier[k] for k in later if k in earlier
            and isinstance(later[k], int) and isinstance(earlier[k], int)}  # fmt: skip


def test_subtracting_cumulative_releases_learns_no_small_group():
    """Twelve monthly releases of totals since the start, each month adding a few
    people to some outcomes: the adversary subtracts each release from the next
    and must never see a change between 1 and 9 (a small group of that month)."""
    rng = random.Random(7)
    outcomes = ["left_army", "avoided", "detained", "lost_contact"]
    true = dict.fromkeys(outcomes, 0)
    earlier: dict[str, tuple[object, int]] = {}
    printed_by_month = []
    monthly = []
    for _month in range(12):
        added = {o: rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for o in outcomes}
        monthly.append(added)
        for o in outcomes:
            true[o] += added[o]
        made = release([[true[o]] for o in outcomes], RULES, earlier,
                       (outcomes, ["n"]), margins=False)  # fmt: skip
        figures = {o: made.cells[i][0] for i, o in enumerate(outcomes)}
        printed_by_month.append(figures)
        for i, o in enumerate(outcomes):
            key = f"cell/{o}/n"
            if key in made.basis:
                earlier[key] = (made.cells[i][0], made.basis[key])
    for before, after in zip(printed_by_month, printed_by_month[1:], strict=False):
        for outcome, change in subtract(before, after).items():
            assert change == 0 or abs(change) >= RULES.threshold, (outcome, change)
    # and the figures still follow the truth: never more than a threshold behind
    for o in outcomes:
        last = printed_by_month[-1][o]
        assert last == RULES.hidden or abs(last - true[o]) < RULES.threshold + RULES.base


def test_a_superseding_release_hides_a_small_correction():
    first = release([[120, 35]], RULES, names=(["2026-11"], ["a", "b"]))
    earlier = {k: (v, first.basis[k]) for k, v in
               {"cell/2026-11/a": 120, "cell/2026-11/b": 35, "row/2026-11": 155,
                "col/a": 120, "col/b": 35, "all": 155}.items()}  # fmt: skip
    corrected = release([[123, 35]], RULES, earlier, names=(["2026-11"], ["a", "b"]))
    assert corrected.cells == [[120, 35]] and corrected.total == 155  # 3 people: not shown
    bigger = release([[140, 35]], RULES, earlier, names=(["2026-11"], ["a", "b"]))
    assert bigger.cells == [[140, 35]] and bigger.total == 175
