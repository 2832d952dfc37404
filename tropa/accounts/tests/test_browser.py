"""Staff sign-in in a real browser with JavaScript off, on a phone-sized screen.

These drive Debian's Chromium through Playwright against the live server (see
tropa/testing/browser.py). Screenshots land in /tmp/tropa-shots/ for a human.
"""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tropa.accounts.models import Language, Role
from tropa.testing.browser import screenshot

pytestmark = pytest.mark.browser

LOGIN = "/staff/login/"
CYRILLIC = re.compile("[А-Яа-яЁё]")


def submit_sign_in(page: Page, username: str, password: str, code: str = "") -> None:
    """Fill and send the sign-in form; works in any language (fields by name)."""
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("input[name=code]").fill(code)
    form.locator("button[type=submit]").click()


def sign_out(page: Page) -> None:
    page.locator("nav.staff-nav button.sign-out").click()
    expect(page).to_have_url(re.compile(re.escape(LOGIN) + "$"))


def switch_to_english(page: Page) -> None:
    page.locator("header form.lang button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def current_code(secret_text: str) -> str:
    """The code an authenticator app would show for the key printed on the page."""
    secret = "".join(secret_text.split()).upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


@pytest.mark.parametrize("language", [Language.RU, Language.EN])
def test_it_enrols_a_new_person_and_honours_recovery_codes_once(
    page_js_off: Page, make_person, language
):
    english = language == Language.EN
    newbie = make_person("newbie", Role.CONSULTANT, enrolled=False)
    page = page_js_off
    html = page.locator("html")
    h1 = page.get_by_role("heading", level=1)

    # Given the sign-in page, in Russian by default whatever the browser asks for
    page.goto(LOGIN)
    expect(html).to_have_attribute("lang", "ru")
    if english:
        # (the account says Russian; a language chosen in this browser wins)
        switch_to_english(page)
        expect(h1).to_have_text("Staff sign-in")
        expect(page).to_have_url(re.compile(re.escape(LOGIN)))
    else:
        expect(h1).to_have_text(CYRILLIC)
    screenshot(page, f"sign-in-{language}")

    # When a new person signs in with password and no code
    submit_sign_in(page, newbie.username, newbie.password)

    # Then they set up two-factor from the key shown on the page
    expect(page).to_have_url(re.compile(r"/staff/two-factor/$"))
    expect(html).to_have_attribute("lang", language)
    if english:
        expect(h1).to_have_text("Set up two-factor")
    else:
        expect(h1).to_have_text(CYRILLIC)
    secret = page.locator("code.secret")
    expect(secret).to_have_text(re.compile(r"^\s*([A-Z2-7]{1,4} )+\s*$"))
    screenshot(page, f"two-factor-{language}")
    form = page.locator("main form.card")
    form.locator("input[name=code]").fill(current_code(secret.inner_text()))
    form.locator("button[type=submit]").click()

    # And they see ten recovery codes, once
    expect(page).to_have_url(re.compile(r"/staff/recovery-codes/$"))
    if english:
        expect(h1).to_have_text("Your recovery codes")
    codes_shown = page.locator("ol.codes li code")
    expect(codes_shown).to_have_count(10)
    codes = codes_shown.all_inner_texts()
    assert len(set(codes)) == 10
    screenshot(page, f"recovery-codes-{language}")
    page.locator("main a.button.primary").click()

    # And reach the staff home
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.locator("main p.muted").first).to_contain_text("newbie")
    if english:
        expect(h1).to_have_text("What needs you now")
        expect(page.locator("#home-waiting")).to_contain_text("Nobody is waiting")
    expect(html).to_have_attribute("lang", language)
    sign_out(page)
    if english:
        expect(page.get_by_text("You are signed out.")).to_be_visible()

    # When they sign in again with a recovery code instead of the app
    submit_sign_in(page, newbie.username, newbie.password, codes[0])
    expect(page).to_have_url(re.compile(r"/staff/$"))
    if english:
        expect(page.get_by_text("You used a recovery code.")).to_be_visible()
    sign_out(page)

    # Then the same recovery code is refused the second time
    submit_sign_in(page, newbie.username, newbie.password, codes[0])
    expect(page.locator("main .errors[role=alert]")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(LOGIN)))
    expect(h1).to_be_visible()
    expect(page.locator("nav.staff-nav")).to_have_count(0)
    if english:
        expect(page.get_by_role("alert")).to_have_text("Wrong username, password or code.")
    # But a fresh one still works
    submit_sign_in(page, newbie.username, newbie.password, codes[1])
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_it_keeps_the_username_but_not_the_password_after_a_wrong_password(
    page_js_off: Page, consultant
):
    page = page_js_off
    page.goto(LOGIN)
    switch_to_english(page)

    page.get_by_label("Username").fill(consultant.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    # No code typed: the message says the code may be what is missing
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    expect(page.get_by_label("Username")).to_have_value(consultant.username)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page).to_have_url(re.compile(re.escape(LOGIN)))
    screenshot(page, "sign-in-wrong-password-en")


def test_it_sends_an_anonymous_visitor_to_sign_in_and_back(page_js_off: Page, consultant):
    page = page_js_off
    page.goto("/staff/")

    expect(page).to_have_url(re.compile(re.escape(LOGIN) + r"\?next=%2Fstaff%2F$"))
    expect(page.locator("nav.staff-nav")).to_have_count(0)
    expect(page.locator("main input[name=password]")).to_be_visible()

    submit_sign_in(page, consultant.username, consultant.password, consultant.code())
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.locator("main p.muted").first).to_contain_text(consultant.username)


def test_it_names_each_language_in_itself_in_the_switch(page_js_off: Page):
    page = page_js_off
    page.goto(LOGIN)
    switch = page.locator("header form.lang")

    # Whatever the page's language, a person must recognise their own.
    expect(switch.get_by_role("button", name="English", exact=True)).to_have_attribute("lang", "en")
    expect(switch.get_by_role("button", name="Русский", exact=True)).to_have_attribute("lang", "ru")
    switch_to_english(page)
    expect(switch.get_by_role("button", name="English", exact=True)).to_be_disabled()
    expect(switch.get_by_role("button", name="Русский", exact=True)).to_be_enabled()
