"""Surge mode in a real browser, JavaScript off, on a phone screen, in
Russian and English: the start page answers at once with what to do, and the
short questionnaire takes a request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tropa.cases import surge
from tropa.cases.models import Case, Status
from tropa.intake.tests.test_browser import choose_language, codename_words, org  # noqa: F401
from tropa.testing.browser import screenshot

pytestmark = pytest.mark.browser

BUSY = {
    "ru": "Сейчас нам пишет очень много людей.",
    "en": "Very many people are writing to us right now.",
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_in_surge_the_start_page_helps_at_once_and_the_short_form_takes_a_request(
    page_js_off: Page,
    org,  # noqa: F811
    language,
):
    surge.switch(None, on=True)
    page = page_js_off
    page.goto("/")
    choose_language(page, language)
    expect(page.locator("main #self-help")).to_contain_text(BUSY[language])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"surge-start-{language}")
    page.locator("main p.actions a.button").click()
    form = page.locator("form.intake")
    expect(form.locator("input[name=short]")).to_have_count(1)
    expect(form.locator("[name=name]")).to_have_count(0)
    form.locator("input[name=situation][value=mobilised]").check()
    form.locator("textarea[name=story]").fill("Мобилизуют завтра, что делать?")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"surge-form-{language}")
    form.locator("button[type=submit]").click()
    assert len(codename_words(page)) == 7
    assert Case.objects.filter(status=Status.NEW, situation="mobilised").count() == 1
