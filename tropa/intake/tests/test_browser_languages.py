"""A requester who reads Uzbek or Tamil (left to right), Dari or Arabic (right to left) walks
the intake and the portal in a real browser: JavaScript off, a phone screen,
nothing wider than the screen, a screenshot of each step."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tropa.cases.models import Case
from tropa.intake.tests.test_browser import codename_words, org  # noqa: F401
from tropa.testing.browser import screenshot

pytestmark = pytest.mark.browser

WORDS = {
    "uz": {"ask": "Yordam soʻrash", "portal": "Suhbatingiz", "sent": "Yuborildi."},
    "fa-af": {"ask": "درخواست کمک", "portal": "گفتگوی شما", "sent": "فرستاده شد."},
    "ar": {"ask": "اطلب المساعدة", "portal": "محادثتك", "sent": "أُرسل."},
    # Tamil: long words, the likeliest to push a phone screen sideways
    "ta": {"ask": "உதவி கேளுங்கள்", "portal": "உங்கள் உரையாடல்", "sent": "அனுப்பப்பட்டது."},
}


def fits(page: Page, step: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    seen = page.evaluate("window.innerWidth")
    screenshot(page, step)
    assert wide <= seen, f"{step}: {wide} px wide on a {seen} px screen"


@pytest.mark.parametrize(
    ("language", "direction"), [("uz", "ltr"), ("fa-af", "rtl"), ("ar", "rtl"), ("ta", "ltr")]
)
def test_a_requester_walks_intake_and_portal_in_a_new_language(
    page_js_off: Page,
    org,  # noqa: F811
    language,
    direction,
):
    page = page_js_off
    words = WORDS[language]
    page.goto("/")
    page.locator(f"form.lang-list button[value={language}]").click()
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", direction)
    expect(page.locator(".banner.unreviewed p[lang=en]")).to_be_visible()
    fits(page, f"lang-{language}-start")
    page.get_by_role("link", name=words["ask"]).click()
    form = page.locator("form.intake")
    form.locator("input[name=situation][value=contract]").check()
    form.locator("textarea[name=story]").fill("Meni ishga deb aldab olib kelishdi / مرا فریب دادند")
    fits(page, f"lang-{language}-request")
    form.locator("button[type=submit]").click()
    codename = codename_words(page)
    # The words read left to right on every page, in their order (the codename)
    first, second = page.locator("main p.codename span").all()[:2]
    assert first.bounding_box()["x"] < second.bounding_box()["x"]
    fits(page, f"lang-{language}-codename")
    page.locator("main form input[name=kept]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["portal"])
    write = page.locator("main form#write")
    write.locator("textarea[name=text]").fill("Salom / سلام")
    write.locator("button[type=submit]").click()
    expect(page.locator("ul.messages")).to_contain_text(words["sent"])
    fits(page, f"lang-{language}-portal")
    assert Case.objects.get().language == language
    assert all(word.isascii() for word in codename)  # Latin letters, whatever the script
