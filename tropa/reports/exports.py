"""A release as files: CSV, XLSX, SVG charts and the signed JSON.

Every file is made from the stored, signed document, never from the counts:
what is downloaded is what was published. The XLSX writer treats every
string as text (no formula, no link), so a label cannot turn into a formula
in a reader's spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import xlsxwriter

from tropa.reports import charts
from tropa.reports.models import Release
from tropa.reports.tables import Table

HEADER = ["table", "row", "row_label", "column", "column_label", "value"]
TOTAL = "total"


def _entries(table: dict[str, Any]) -> list[list[Any]]:
    """Long format: one line per printed figure, totals included."""
    found = []
    for (row, row_label), values in zip(table["rows"], table["cells"], strict=True):
        for (column, column_label), value in zip(table["columns"], values, strict=True):
            found.append([table["key"], row, row_label, column, column_label, value])
    if table["row_totals"]:
        for (row, row_label), value in zip(table["rows"], table["row_totals"], strict=True):
            found.append([table["key"], row, row_label, TOTAL, "Total", value])
        for (column, label), value in zip(table["columns"], table["column_totals"], strict=True):
            found.append([table["key"], TOTAL, "Total", column, label, value])
        found.append([table["key"], TOTAL, "Total", TOTAL, "Total", table["total"]])
    return found


def as_csv(document: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for table in document["tables"]:
        writer.writerows(_entries(table))
    return out.getvalue().encode()


def as_xlsx(document: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True})
    about = book.add_worksheet("release")
    about.write_row(0, 0, ["period", document["period"]])
    about.write_row(1, 0, ["number", document["number"]])
    about.write_row(2, 0, ["published_on", document["published_on"]])
    about.write_row(3, 0, ["verify_key", document["verify_key"]])
    for index, (rule, value) in enumerate(sorted(document["rules"].items()), start=4):
        about.write_row(index, 0, [rule, str(value)])
    for table in document["tables"]:
        sheet = book.add_worksheet(table["key"][:31])
        sheet.write(0, 0, table["title"], bold)
        has_totals = bool(table["row_totals"])
        sheet.write_row(
            1,
            0,
            [table["row_title"], *[c[1] for c in table["columns"]], *(["Total"] * has_totals)],
            bold,
        )
        for r, ((_key, label), values) in enumerate(
            zip(table["rows"], table["cells"], strict=True)
        ):
            total = [table["row_totals"][r]] if has_totals else []
            sheet.write_row(2 + r, 0, [label, *values, *total])
        if has_totals:
            sheet.write_row(
                2 + len(table["rows"]), 0, ["Total", *table["column_totals"], table["total"]], bold
            )
    book.close()
    return out.getvalue()


def as_json(release: Release) -> bytes:
    """The signed document with its signature: what anyone checks a figure against."""
    return json.dumps(
        {
            "document": release.document,
            "signature": bytes(release.signature).hex(),
            "verify_key": bytes(release.key.verify_key).hex(),
            "algorithm": "Ed25519 over the UTF-8 bytes of document",
        },
        ensure_ascii=False,
        indent=1,
    ).encode()


def _over_time(published: dict[str, Any]) -> bool:
    keys = [k for k, _label in published["rows"]]
    return len(keys) > 1 and all(len(k) == 10 and k[4] == "-" and k[7] == "-" for k in keys)


def table_of(published: dict[str, Any]) -> Table:
    """A published table drawn again (figures under the threshold left out)."""
    return Table(
        published["key"],
        published["title"],
        published["row_title"],
        [(k, label) for k, label in published["rows"]],
        [(k, label) for k, label in published["columns"]],
        published["cells"],
        chart="lines"
        if published["row_title"] == "Month" and len(published["rows"]) > 1
        else "bars",
        totals=False,
        row_totals=published["row_totals"],
        column_totals=published["column_totals"],
        total=published["total"],
    )


def as_svg(published: dict[str, Any]) -> bytes:
    svg = charts.draw(table_of(published)) or charts.check(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>'
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode()
