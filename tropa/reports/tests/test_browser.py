"""The statistics in a browser with JavaScript off: the analyst filters the
dashboard and publishes a month; a visitor reads /impact/ in both languages.
Screenshots at desktop width in /tmp/tropa-shots/ for a human to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tropa.reports.models import Release
from tropa.reports.tests.conftest import month_back
from tropa.testing import statistics
from tropa.testing.browser import choose_public_language, screenshot, staff_sign_in
from tropa.testing.people import NAMED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_analyst_filters_the_dashboard_and_publishes_a_month(
    page_js_off: Page, make_person, language
):
    page = page_js_off
    page.set_viewport_size(DESKTOP)
    analyst = make_person(*NAMED["analyst"])
    statistics.fill_history(analyst)  # the last month is published
    staff_sign_in(page, analyst, language)
    page.goto("/staff/statistics/")
    expect(page.locator("#view-surge svg")).to_be_visible()
    expect(page.locator("#view-outcomes table")).to_be_visible()
    screenshot(page, f"desktop-{language}-analyst-statistics")
    page.locator("details.filters-fold summary").click()
    page.locator("select[name=situation]").select_option("summons")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"situation=summons"))
    heads = page.locator("#table-requests-situation thead th")
    expect(heads).to_have_count(3)  # month, summons, total
    page.goto("/staff/statistics/releases/")
    period = f"{month_back(2):%Y-%m}"
    page.locator("input[name=period]").fill(period)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/impact/{period}/1/$"))
    expect(page.locator("#view-since-start table")).to_be_visible()
    screenshot(page, f"desktop-{language}-release")
    assert Release.objects.filter(period=period).exists()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_visitor_reads_the_impact_page(page_js_off: Page, make_person, language):
    page = page_js_off
    page.set_viewport_size(DESKTOP)
    statistics.fill_history(make_person(*NAMED["analyst"]))
    page.goto("/impact/")
    choose_public_language(page, language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    headline = page.locator("section.headline")
    expect(headline).to_contain_text("Всего с" if language == "ru" else "Since")
    screenshot(page, f"desktop-{language}-impact")
    page.locator("main table a").first.click()
    expect(page.locator("main h1")).to_contain_text("Выпуск" if language == "ru" else "Release")
    expect(page.locator("#view-outcomes svg")).to_be_visible()
    screenshot(page, f"desktop-{language}-impact-release")
