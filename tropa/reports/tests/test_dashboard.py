"""The analyst's dashboard: counts only, from the tally; the coordinator's is
their team's; nobody else reaches it; the analyst opens no case."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tropa.accounts.models import Role, Team
from tropa.reports import charts
from tropa.reports.tests.conftest import add_month, month_back
from tropa.testing.factories import count_queries, new_case

pytestmark = pytest.mark.django_db
PAGE = "/staff/statistics/"


def view(page: str, key: str) -> str:
    found = re.search(rf'<section class="card stats-view" id="view-{key}".*?</section>', page, re.S)
    assert found, key
    return found.group(0)


def test_the_analyst_sees_every_view_with_its_chart_table_and_summary(history, analyst, signed_in):
    page = signed_in(analyst).get(PAGE).content.decode()
    for key in ("requests-situation", "requests-channel", "requests-week", "surge", "outcomes",
                "outcomes-region", "caseload", "first-response", "time-to-close", "journeys",
                "applications", "application-routes", "referrals", "labels"):  # fmt: skip
        section = view(page, key)
        assert "<table" in section and "<figcaption>" in section
    outcomes = view(page, "outcomes")
    assert "<svg" in outcomes and "Left the army or the front" in outcomes
    assert "<script" not in page and "<style" not in page and " style=" not in page
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        charts.check(svg)
    # the last full month: 121 requests, 41 left the army, 3 detained (internal: not rounded)
    situation = view(page, "requests-situation")
    assert ">121<" in situation


def test_filters_narrow_the_counts_and_bad_input_is_said_and_kept(history, analyst, signed_in):
    client = signed_in(analyst)
    month = f"{history[-1]:%Y-%m}"
    page = client.get(PAGE, {"start": month, "end": month, "channel": "telegram"}).content.decode()
    assert ">121<" not in view(page, "requests-situation")
    page = client.get(PAGE, {"start": month, "end": month, "situation": "summons"}).content.decode()
    assert ">121<" in view(page, "requests-situation")
    wrong = client.get(PAGE, {"start": "last spring", "end": month}).content.decode()
    assert "Write a month as year-month" in wrong and 'value="last spring"' in wrong
    assert "Some filters were not understood" in wrong
    backwards = client.get(PAGE, {"start": month, "end": f"{history[0]:%Y-%m}"}).content.decode()
    assert "The first month comes after the last one" in backwards


def test_a_coordinator_sees_only_their_own_team(coordinator, signed_in):
    other = Team.objects.create(name="South desk")
    add_month(month_back(1), received=77, closed={}, team=other.pk)
    add_month(month_back(1), received=33, closed={}, team=coordinator.staff.team_id or 1)
    page = signed_in(coordinator).get(PAGE).content.decode()
    assert "Statistics of my team" in page and 'name="team"' not in page
    situation = view(page, "requests-situation")
    assert ">33<" in situation and ">77<" not in situation and "South desk" not in page
    assert ">77<" not in signed_in(coordinator).get(PAGE, {"team": other.pk}).content.decode()


def test_consultants_and_admins_do_not_reach_the_dashboard(consultant, admin, signed_in):
    for person in (consultant, admin):
        assert signed_in(person).get(PAGE).status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_history(analyst, signed_in):
    client = signed_in(analyst)
    add_month(month_back(1), received=10, closed={"avoided": 4})
    few = count_queries(client, PAGE)
    for n in range(2, 12):
        add_month(month_back(n), received=10 + n, closed={"avoided": n, "detained": 1})
    assert count_queries(client, PAGE) == few


def case_urls(case_id: uuid.UUID) -> list[str]:
    """Every URL that takes a case id, with the others filled with something."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<uuid:case_id>" in route:
                url = route.replace("<uuid:case_id>", str(case_id))
                url = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), url)
                url = re.sub(r"<int:\w+>", "1", url)
                url = re.sub(r"<(str:)?\w+>", "x", url)
                found.append("/" + url.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    return found


def test_the_analyst_opens_no_case_url(coordinator, consultant, analyst, signed_in):
    _c, case = new_case(coordinator, consultant)
    urls = case_urls(case.pk)
    assert len(urls) > 30  # the walk found the case pages
    client = signed_in(analyst)
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {}).status_code == 404, url
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404
    # and no page of statistics names a case: neither its alias nor its short id
    for page in (PAGE, "/staff/", "/staff/statistics/releases/"):
        html = client.get(page).content.decode()
        assert case.alias not in html and str(case.pk)[:8] not in html, page


def test_the_analysts_home_says_this_month_and_what_is_left_to_publish(history, analyst, signed_in):
    page = signed_in(analyst).get("/staff/").content.decode()
    assert 'id="home-statistics"' in page and 'id="home-unpublished"' in page
    assert "Ended months not yet published" in page
    assert Role.ANALYST  # the role the home page was drawn for
