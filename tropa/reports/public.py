"""The public impact pages (`/impact/`): published releases and their headline
totals, in the reader's language, with no JavaScript, and the files to
check them. Only what was published is reachable: every page reads a stored
release, never the counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tropa.cases.models import Channel, Outcome, RegionGroup, Situation
from tropa.core.access import public
from tropa.reports import charts, exports, releases
from tropa.reports.models import Release, ReleaseKey, ReleaseStatus
from tropa.reports.tables import lines_of, month_label

HEADLINE = ("left_army", "avoided", "left_country", "legal_status")


def _labels() -> dict[str, str]:
    coded = (Channel.choices, Outcome.choices, RegionGroup.choices, Situation.choices)
    return {
        "requests": _("Requests received"),
        "n": _("Count"),
        **{key: str(label) for choices in coded for key, label in choices},
    }


def _row_titles() -> dict[str, str]:
    return {
        "Month": _("Month"),
        "Region group": _("Region group"),
        "Measure": _("Measure"),
        "Week from": _("Week from"),
    }


def _label(key: str, english: str, labels: dict[str, str]) -> str:
    if len(key) == 10 and key[4] == "-":
        try:
            return month_label(date.fromisoformat(key))
        except ValueError:
            return english
    return labels.get(key, english)


def localised(table: dict[str, Any]) -> dict[str, Any]:
    """A published table with its labels in the reader's language (the figures untouched)."""
    labels = _labels()
    titles = dict(releases.table_titles())
    shown = dict(table)
    shown["title"] = titles.get(table["key"], table["title"])
    shown["row_title"] = _row_titles().get(table["row_title"], table["row_title"])
    shown["rows"] = [(k, _label(k, label, labels)) for k, label in table["rows"]]
    shown["columns"] = [(k, _label(k, label, labels)) for k, label in table["columns"]]
    shown["lines"] = lines_of(shown["rows"], shown["columns"], table["cells"], table["row_totals"])
    names = [label for _k, label in shown["columns"]]
    shown["footer"] = list(zip(names, table["column_totals"], strict=False))
    return shown


def _release(period: str, number: int) -> Release:
    release = (
        Release.objects.select_related("key", "superseded_by")
        .filter(period=period, number=number)
        .first()
    )
    if release is None:
        raise Http404
    return release


def headline() -> dict[str, Any] | None:
    """The latest published totals since the start, for the top of the page."""
    for release in Release.objects.filter(status=ReleaseStatus.PUBLISHED).order_by("-period"):
        document = releases.document_of(release)
        for table in document["tables"]:
            if table["key"] == "since-start":
                figures = {
                    row[0]: cells[0]
                    for row, cells in zip(table["rows"], table["cells"], strict=True)
                }
                labels = _labels()
                since = date.fromisoformat(document.get("since") or f"{release.period[:4]}-01-01")
                return {
                    "release": release,
                    "title": _("Since %(month)s, in all") % {"month": month_label(since)},
                    "requests": figures.get("requests"),
                    "figures": [(labels[k], figures[k]) for k in HEADLINE if k in figures],
                }
    return None


@public
def impact(request: HttpRequest) -> HttpResponse:
    key = ReleaseKey.objects.order_by("-pk").first()
    return render(
        request,
        "reports/impact.html",
        {
            "headline": headline(),
            "releases": Release.objects.order_by("-period", "-number"),
            "verify_key": bytes(key.verify_key).hex() if key else "",
        },
    )


@public
def release(request: HttpRequest, period: str, number: int) -> HttpResponse:
    found = _release(period, number)
    document = releases.document_of(found)
    tables = []
    for table in document["tables"]:
        shown = localised(table)
        tables.append((shown, charts.draw(exports.table_of(shown))))
    return render(
        request,
        "reports/release.html",
        {
            "release": found,
            "document": document,
            "tables": tables,
            "signature": bytes(found.signature).hex(),
            "verify_key": bytes(found.key.verify_key).hex(),
        },
    )


def _file(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@public
def download(request: HttpRequest, period: str, number: int, kind: str) -> HttpResponse:
    found = _release(period, number)
    name = f"tropa-{found.period}-{found.number}"
    document = releases.document_of(found)
    if kind == "json":
        return _file(exports.as_json(found), "application/json", f"{name}.json")
    if kind == "csv":
        return _file(exports.as_csv(document), "text/csv; charset=utf-8", f"{name}.csv")
    if kind == "xlsx":
        return _file(
            exports.as_xlsx(document),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    raise Http404


@public
def chart(request: HttpRequest, period: str, number: int, table: str) -> HttpResponse:
    found = _release(period, number)
    for published in releases.document_of(found)["tables"]:
        if published["key"] == table:
            return _file(exports.as_svg(published), "image/svg+xml", f"{table}-{found.period}.svg")
    raise Http404
