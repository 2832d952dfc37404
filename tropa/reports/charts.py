"""Charts as SVG drawn on the server (leather), inline in the page.

leather writes presentation attributes only (fill, stroke, font-family): no
<script>, no <style>, no style attribute, so the strict Content-Security-Policy
holds, and `check` refuses anything else before a chart reaches a page. The
chart scales to its column (a viewBox, no fixed size); the table beneath it
carries the same figures, and its summary says them in words.
"""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import leather
from django.utils import formats
from django.utils.html import escape

from tropa.reports.tables import Table

WIDTH, HEIGHT = 640, 320
# Colour-blind-safe (Okabe-Ito), then greys.
COLOURS = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
    "#D55E00", "#F0E442", "#000000", "#999999", "#666666", "#BBBBBB",
]  # fmt: skip
FONT = "system-ui, sans-serif"
ALLOWED = {
    "svg", "g", "rect", "line", "path", "text", "circle", "title", "desc",
}  # fmt: skip
SVG = "{http://www.w3.org/2000/svg}"

for _name in ("title", "legend", "tick", "axis_title"):
    setattr(leather.theme, f"{_name}_font_family", FONT)
leather.theme.background_color = "#ffffff"
# leather places the legend by an estimated character width: Cyrillic in a
# system sans-serif is wider than its default guess, and the last entries
# spilled past the edge.
leather.theme.legend_font_size = 13
leather.theme.legend_font_char_width = 9
leather.theme.default_series_colors = COLOURS


class UnsafeChart(ValueError):
    """An SVG with an element or attribute that could run or load something."""


def check(svg: str) -> str:
    """The SVG itself if it holds only drawing elements and no event, style or link."""
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output, checked below
    for element in root.iter():
        name = element.tag.removeprefix(SVG)
        if name not in ALLOWED:
            raise UnsafeChart(name)
        for attribute, value in element.attrib.items():
            if attribute.startswith("on") or attribute in ("style", "href") or "url(" in value:
                raise UnsafeChart(attribute)
            if attribute.endswith("}href"):
                raise UnsafeChart(attribute)
    return svg


def _numbers(row: list[object]) -> list[float]:
    return [float(v) if isinstance(v, int | float) else 0.0 for v in row]


def _tick(value: object, _index: int, _count: int) -> str:
    """A date on the time axis: its day and month, or month and year."""
    if isinstance(value, date):
        return formats.date_format(value, "j M" if value.day != 1 else "M Y")
    return str(value)


def draw(table: Table) -> str:
    """The table as an SVG chart (a string to put inline), or "" when empty."""
    if table.empty or not table.rows:
        return ""
    chart = leather.Chart()
    if table.chart == "lines" and len(table.rows) > 1:
        xs = [date.fromisoformat(key) for key, _label in table.rows]
        chart.add_x_axis(tick_formatter=_tick)
        for index, (_key, label) in enumerate(table.columns):
            values = [_numbers(row)[index] for row in table.cells]
            if any(values):
                chart.add_line(list(zip(xs, values, strict=True)), name=label, width=2)
    else:
        totals = [sum(_numbers(row)) for row in table.cells]
        bars = [(total, label) for total, (_key, label) in zip(totals, table.rows, strict=True)]
        chart.add_bars(list(reversed(bars)), fill_color=COLOURS[0])
    svg = chart.to_svg(
        width=WIDTH, height=max(HEIGHT, 26 * len(table.rows) if table.chart == "bars" else 0)
    )
    svg = re.sub(
        r'^<svg width="(\d+)" height="(\d+)"',
        lambda m: (
            f'<svg viewBox="0 0 {m[1]} {m[2]}" width="100%" preserveAspectRatio="xMinYMin meet"'
            f' role="img" aria-label="{escape(table.title)}"'
        ),
        svg,
    )
    return check(svg)
