"""Releases: published once, signed, safe, never recomputed; superseded only
on purpose; exported as they were published; and an adversary who subtracts
one release from the next learns no small group."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from tropa.accounts.models import Role
from tropa.audit.models import Action, Entry
from tropa.reports import charts, releases
from tropa.reports.models import Release, ReleaseStatus
from tropa.reports.tests.conftest import add_month, month_back
from tropa.testing.people import english_client, russian_client

pytestmark = pytest.mark.django_db
PAGE = "/staff/statistics/releases/"
ALL = [key for key, _title in releases.table_titles()]


def period(month: date) -> str:
    return f"{month:%Y-%m}"


def publish(client, month: date, **extra):
    data = {"period": period(month), "tables": ALL, **extra}
    return client.post(PAGE, data, follow=True)


def document(month: date, number: int = 1) -> dict:
    return json.loads(Release.objects.get(period=period(month), number=number).document)


def figures(doc: dict, key: str) -> list:
    table = next(t for t in doc["tables"] if t["key"] == key)
    return [*sum(table["cells"], []), *table["row_totals"], *table["column_totals"],
            *([table["total"]] if table["total"] is not None else [])]  # fmt: skip


def test_an_analyst_publishes_a_signed_release_with_no_small_figure(history, analyst, signed_in):
    client = signed_in(analyst)
    response = publish(client, history[-1])
    assert (
        response.status_code == 200 and "Published, signed and frozen" in response.content.decode()
    )
    doc = document(history[-1])
    for table in doc["tables"]:
        for figure in figures(doc, table["key"]):
            assert figure in ("<10", 0) or (isinstance(figure, int) and figure >= 10)
    outcomes = next(t for t in doc["tables"] if t["key"] == "outcomes")
    columns = [c[0] for c in outcomes["columns"]]
    assert outcomes["cells"][0][columns.index("detained")] == "<10"  # 3 people
    release = Release.objects.get()
    assert releases.verify(release.document.encode(), bytes(release.signature),
                           bytes(release.key.verify_key))  # fmt: skip
    assert Entry.objects.filter(action=Action.RELEASE_PUBLISHED, actor=analyst.staff).count() == 1


def test_a_changed_figure_fails_the_signature(history, analyst, signed_in):
    publish(signed_in(analyst), history[-1])
    release = Release.objects.get()
    changed = json.loads(release.document)
    changed["tables"][0]["cells"][0][0] = 9995  # one figure, everything else as signed
    forged = releases.canonical(changed).decode()
    assert forged != release.document
    key, signature = bytes(release.key.verify_key), bytes(release.signature)
    assert releases.verify(release.document.encode(), signature, key)
    assert not releases.verify(forged.encode(), signature, key)
    flipped = signature[:-1] + bytes([signature[-1] ^ 1])  # always a different byte
    assert not releases.verify(release.document.encode(), flipped, key)


def test_publishing_again_returns_the_stored_release(history, analyst, signed_in):
    client = signed_in(analyst)
    publish(client, history[-1])
    signed = Release.objects.get().document
    add_month(history[-1], received=500, closed={"avoided": 200})  # late counts
    response = publish(client, history[-1])
    assert "already published" in response.content.decode()
    assert Release.objects.count() == 1 and Release.objects.get().document == signed


def test_superseding_needs_a_reason_and_keeps_the_old_release_visible(history, analyst, signed_in):
    client = signed_in(analyst)
    publish(client, history[-1])
    add_month(history[-1], received=500, closed={"avoided": 200})
    refused = publish(client, history[-1], supersede="on")
    page = refused.content.decode()
    assert "Say why the release is superseded" in page and period(history[-1]) in page
    assert Release.objects.count() == 1
    publish(client, history[-1], supersede="on", reason="Late records from the Telegram bot")
    old, new = Release.objects.order_by("number")
    assert old.status == ReleaseStatus.SUPERSEDED and old.superseded_by == new
    assert json.loads(new.document)["supersedes"] == str(old.pk)
    public = client.get(f"/impact/{old.period}/1/").content.decode()
    assert "This release was superseded" in public
    assert "Late records" in client.get(f"/impact/{old.period}/2/").content.decode()


@pytest.mark.parametrize("typed", ["2026-13", "November", "20261"])
def test_a_bad_period_is_refused_and_kept(typed, history, analyst, signed_in):
    response = signed_in(analyst).post(PAGE, {"period": typed, "tables": ALL})
    page = response.content.decode()
    assert response.status_code == 200 and "A period is a month such as 2026-11" in page
    assert f'value="{typed}"' in page and not Release.objects.exists()


def test_a_month_that_has_not_ended_cannot_be_published(history, analyst, signed_in):
    response = signed_in(analyst).post(PAGE, {"period": period(month_back(0)), "tables": ALL})
    assert "once it has ended" in response.content.decode() and not Release.objects.exists()


def test_only_analysts_and_admins_reach_the_releases_page(
    history, consultant, coordinator, admin, signed_in
):
    for person in (consultant, coordinator):
        assert signed_in(person).get(PAGE).status_code == 404
        assert signed_in(person).post(PAGE, {"period": "2026-01", "tables": ALL}).status_code == 404
    assert signed_in(admin).get(PAGE).status_code == 200
    assert not Release.objects.exists()


def test_the_first_publisher_shares_the_key_with_the_other_analysts_and_admins(
    history, analyst, admin, make_person, signed_in
):
    publish(signed_in(analyst), history[-2])
    response = publish(signed_in(admin), history[-1])  # admin got a copy at the first publish
    assert "Published, signed and frozen" in response.content.decode()
    late = make_person("lena", Role.ANALYST)  # joined after: no copy yet
    refused = publish(signed_in(late), history[-3])
    assert "You hold no copy of the release key yet" in refused.content.decode()
    publish(signed_in(analyst), history[-4])  # a holder publishes: lena gets hers
    assert "Published" in publish(signed_in(late), history[-3]).content.decode()
    keys = {r.key_id for r in Release.objects.all()}
    assert len(keys) == 1  # one key signs everything


def test_subtracting_monthly_releases_learns_no_small_group(history, analyst, signed_in):
    """The adversary downloads every release and subtracts each one's totals
    since the start from the next one's."""
    client = signed_in(analyst)
    for month in history:
        publish(client, month)
    docs = [json.loads(client.get(f"/impact/{period(m)}/1/release.json").json()["document"])
            for m in history]  # fmt: skip
    cumulative = [dict(zip([r[0] for r in t["rows"]], [c[0] for c in t["cells"]], strict=True))
                  for d in docs for t in d["tables"] if t["key"] == "since-start"]  # fmt: skip
    assert len(cumulative) == len(history)
    for before, after in zip(cumulative, cumulative[1:], strict=False):
        for key, figure in after.items():
            if isinstance(figure, int) and isinstance(before[key], int):
                change = figure - before[key]
                assert change == 0 or change >= 10, (key, change)
    # 3 detained a month (3, 6, ... 18 in all): hidden under 10, then printed as 10
    # until the count has moved by 10 since (18 - 12 < 10): no month's 3 shows
    assert [c["detained"] for c in cumulative] == ["<10", "<10", "<10", 10, 10, 10]


def test_exports_match_the_published_tables(history, analyst, signed_in):
    client = signed_in(analyst)
    publish(client, history[-1])
    base = f"/impact/{period(history[-1])}/1/"
    doc = document(history[-1])
    table = next(t for t in doc["tables"] if t["key"] == "outcomes-region")

    rows = list(csv.DictReader(io.StringIO(client.get(base + "release.csv").content.decode())))
    mine = {(r["row"], r["column"]): r["value"] for r in rows if r["table"] == "outcomes-region"}
    for (row, _l), cells in zip(table["rows"], table["cells"], strict=True):
        for (column, _c), value in zip(table["columns"], cells, strict=True):
            assert mine[(row, column)] == str(value)
    assert mine[("total", "total")] == str(table["total"])

    response = client.get(base + "release.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                    if response.streaming else response.content))  # fmt: skip
    sheet = book["outcomes-region"]
    values = list(sheet.iter_rows(min_row=3, max_row=2 + len(table["rows"]), values_only=True))
    assert [list(v[1:-1]) for v in values] == table["cells"]
    assert sheet.cell(row=1, column=1).value == table["title"]

    signed = client.get(base + "release.json").json()
    assert signed["document"] == Release.objects.get().document

    svg = client.get(base + "outcomes.svg").content.decode()
    assert "<script" not in svg and "<style" not in svg
    charts.check(svg.split("\n", 1)[1])


def test_a_label_cannot_become_a_formula_in_the_spreadsheet():
    from tropa.reports.exports import as_xlsx

    doc = {"period": "2026-11", "number": 1, "published_on": "2026-12-01", "verify_key": "00",
           "rules": {"threshold": 10}, "tables": [{
               "key": "t", "title": "=HYPERLINK(\"http://x\")", "row_title": "Row",
               "rows": [["a", "=1+1"]], "columns": [["c", "http://example.org"]],
               "cells": [[12]], "row_totals": [], "column_totals": [], "total": None}]}  # fmt: skip
    sheet = load_workbook(io.BytesIO(as_xlsx(doc)))["t"]
    assert sheet.cell(row=1, column=1).data_type == "s"
    assert (
        sheet.cell(row=3, column=1).value == "=1+1" and sheet.cell(row=3, column=1).data_type == "s"
    )
    assert sheet.cell(row=2, column=2).hyperlink is None


def test_the_public_page_shows_published_releases_and_nothing_else(history, analyst, signed_in):
    publish(signed_in(analyst), history[-1])
    visitor = english_client()
    page = visitor.get("/impact/").content.decode()
    assert period(history[-1]) in page and "left the army or the front" in page
    assert "<script" not in page
    assert visitor.get(f"/impact/{period(history[-2])}/1/").status_code == 404  # not published
    assert visitor.get(f"/impact/{period(history[-1])}/2/").status_code == 404
    assert visitor.get(f"/impact/{period(history[-1])}/1/release.exe").status_code == 404
    assert "Наша работа" in russian_client().get("/impact/").content.decode()
