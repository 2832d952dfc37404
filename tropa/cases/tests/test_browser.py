"""Casework in a real browser, JavaScript off: triage, assignment, reply, closing.

Chromium (through Playwright, see tropa/testing/browser.py) against the live
server. A requester's request comes in; a coordinator signs in, opens the
inbox and the request, accepts it and assigns a consultant; the consultant,
in a browser of their own, replies and adds an internal note; the requester
reads the reply in the portal and never the note; the consultant closes the
case with an outcome. Then once more in Russian, the default, for the
coordinator's pages. Screenshots land in /tmp/tropa-shots/cases-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tropa.cases import aliases
from tropa.conftest import Person
from tropa.intake import actions as intake
from tropa.keyring.actions import create_org_keys
from tropa.testing.browser import PHONE, choose_public_language, screenshot, staff_sign_in
from tropa.testing.factories import answers_cleaned
from tropa.testing.people import NAMED

pytestmark = pytest.mark.browser

CYRILLIC = re.compile("[А-Яа-яЁё]")
DESKTOP = {"width": 1280, "height": 900}
STORY = "I got a summons to report in ten days. What should I do?"
REPLY = "Hello. Do not go to the enlistment office before we talk. A lawyer will write today."
NOTE = "Internal: check the summons number with the lawyer first."
CASE_URL = re.compile(r"/staff/cases/[0-9a-f-]{36}/(#[a-z-]+)?$")


@pytest.fixture
def org(transactional_db):
    """An initialised organisation, committed so the live server sees it.

    Overrides tropa/conftest.py's `org` (on `db`), so its `make_person` makes
    staff the live server can sign in.
    """
    recovery, _intake = create_org_keys()
    return recovery


@pytest.fixture
def olga(make_person) -> Person:
    return make_person(*NAMED["coordinator"])


@pytest.fixture
def ivan(make_person) -> Person:
    return make_person(*NAMED["consultant"])


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[[], Page]]:
    """More people, each in a browser of their own: a fresh context, JavaScript off.

    Like `page_js_off`, requests that leave the live server are aborted and
    reported at the end.
    """
    contexts = []
    own_origin = urlsplit(live_server.url).netloc
    foreign: list[str] = []

    def guard(route):
        url = route.request.url
        if urlsplit(url).netloc == own_origin or url.startswith("data:"):
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    def make() -> Page:
        context = browser.new_context(
            java_script_enabled=False,
            locale="en-US",
            timezone_id="UTC",
            viewport=PHONE,
            base_url=live_server.url,
        )
        context.set_default_timeout(10_000)
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not foreign, f"requests left the live server: {foreign}"


def new_request(story: str = STORY, language: str = "en") -> str:
    """A request as the intake form files it; returns the codename the requester keeps."""
    codename, _case = intake.submit_request(answers_cleaned(story=story), language)
    return codename


def nav(page: Page, href: str) -> None:
    page.locator(f"nav.staff-nav a[href='{href}']").click()


def message(page: Page) -> str:
    return page.locator("main ul.messages li.msg").inner_text()


def shots(page: Page, name: str) -> None:
    """The page at desktop width and at phone width."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"cases-{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"cases-{name}-phone")


def is_alias(text: str) -> bool:
    given, _space, word = text.partition(" ")
    return given in aliases.GIVEN_NAMES and word in aliases.WORDS


def test_a_case_goes_from_the_inbox_to_a_reply_and_is_closed(
    page_js_off: Page, new_page, olga, ivan
):
    coordinator = page_js_off
    h1 = coordinator.get_by_role("heading", level=1)
    codename = new_request()

    # Given a coordinator signed in, the inbox lists the new request
    staff_sign_in(coordinator, olga)
    nav(coordinator, "/staff/inbox/")
    expect(h1).to_have_text("New requests")
    rows = coordinator.locator("table.inbox tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Received a summons")
    expect(coordinator.locator("main")).not_to_contain_text(STORY)
    shots(coordinator, "inbox")

    # When they open it, the request is decrypted; the name stays hidden
    rows.first.locator("a[href^='/staff/cases/']").click()
    expect(coordinator).to_have_url(CASE_URL)
    expect(h1).to_have_text("New request")
    answers = coordinator.locator("#answers")
    expect(answers).to_contain_text(STORY)
    expect(answers).not_to_contain_text("Имярек")
    shots(coordinator, "request")

    # And accept it: it becomes a case with an alias from the word lists
    coordinator.locator("section.triage button.primary").click()
    expect(coordinator).to_have_url(CASE_URL)
    alias = h1.inner_text().strip()
    assert is_alias(alias), alias
    assert message(coordinator) == "Accepted as a case."
    expect(coordinator.locator("section.triage")).to_have_count(0)

    # And assign the consultant with the assignment form on the case page
    assignment = coordinator.locator("#assignment")
    choice = assignment.locator("select[name=staff]")
    expect(choice.locator("option")).to_have_text(["ivan — 0 open cases"])
    choice.select_option(label="ivan — 0 open cases")
    assignment.locator("button[type=submit].primary").click()
    expect(coordinator).to_have_url(CASE_URL)
    assert message(coordinator) == "ivan is on the case."
    expect(coordinator.locator("#assignment ul.assigned li")).to_have_count(1)
    expect(coordinator.locator("#assignment ul.assigned")).to_contain_text("ivan")
    expect(coordinator.locator("p.case-status .badge")).to_have_text("Active")
    case_path = urlsplit(coordinator.url).path

    # When the consultant signs in, in a browser of their own, the case is in "Cases"
    consultant = new_page()
    staff_sign_in(consultant, ivan)
    expect(consultant.locator("nav.staff-nav a[href='/staff/inbox/']")).to_have_count(0)
    nav(consultant, "/staff/cases/")
    cases = consultant.locator("table.cases tbody tr")
    expect(cases).to_have_count(1)
    cases.first.get_by_role("link", name=alias).click()
    expect(consultant).to_have_url(CASE_URL)
    assert urlsplit(consultant.url).path == case_path
    expect(consultant.get_by_role("heading", level=1)).to_have_text(alias)
    expect(consultant.locator("#answers")).to_contain_text(STORY)

    # And replies to the requester, and adds an internal note
    reply = consultant.locator("form#reply")
    reply.locator("textarea[name=text]").fill(REPLY)
    reply.locator("button[type=submit][value=send]").click()
    expect(consultant).to_have_url(CASE_URL)
    assert message(consultant) == "Reply sent. The requester will see it in the portal."
    expect(consultant.locator("li.entry-reply p.body")).to_have_text([REPLY])
    note = consultant.locator("form#note")
    note.locator("textarea[name=text]").fill(NOTE)
    note.locator("button[type=submit]").click()
    assert message(consultant) == "Note added. Only staff see it."
    expect(consultant.locator("li.entry-note p.body")).to_have_text([NOTE])

    # Then the requester, signed in with the codename, reads the reply and not the note
    requester = new_page()
    requester.goto("/portal/login/")
    choose_public_language(requester, "en")
    requester.locator("main form input[name=codename]").fill(codename)
    requester.locator("main form button[type=submit]").click()
    expect(requester).to_have_url(re.compile(r"/portal/(#[a-z]+)?$"))
    expect(requester.locator("ol.conversation li.bubble.theirs p.body")).to_have_text([REPLY])
    expect(requester.locator("body")).not_to_contain_text(NOTE)
    assert NOTE not in requester.content()
    assert "ivan" not in requester.locator("ol.conversation").inner_text()

    # And the coordinator sees the same timeline on the case page
    coordinator.reload()
    expect(coordinator.locator("li.entry-reply p.body")).to_have_text([REPLY])
    expect(coordinator.locator("li.entry-note p.body")).to_have_text([NOTE])
    shots(coordinator, "case")

    # When the consultant closes the case without an outcome, the form says so
    status = consultant.locator("form:has(select[name=status])")
    status.locator("select[name=status]").select_option("closed")
    status.locator("button[type=submit]").click()
    status = consultant.locator("#status form")
    error = status.locator(".field.invalid:has(select[name=outcome]) .error")
    expect(error).to_have_text("Choose an outcome to close the case.")
    expect(status.locator("select[name=status]")).to_have_value("closed")
    expect(consultant.locator("p.case-status .badge")).to_have_text("Active")
    shots(consultant, "close-error")

    # And with an outcome, the case is closed, and replying waits for a reopening
    status.locator("select[name=outcome]").select_option("left_country")
    status.locator("button[type=submit]").click()
    expect(consultant).to_have_url(CASE_URL)
    assert message(consultant) == "The case is closed. It can be reopened at any time."
    expect(consultant.locator("p.case-status")).to_have_text("Closed · Left the country")
    expect(consultant.locator("#status")).to_contain_text(
        "Closed with the outcome “Left the country”."
    )
    expect(consultant.locator("form#reply")).to_have_count(0)
    expect(consultant.locator("main")).to_contain_text("The case is closed. Reopen it to reply.")
    shots(consultant, "closed")

    # And the requester still reads the reply (closing deletes nothing)
    requester.reload()
    expect(requester.locator("ol.conversation li.bubble.theirs p.body")).to_have_text([REPLY])


def russian_words(page: Page, where: str, seen: dict[str, str]) -> None:
    """Collect headings, buttons, labels and table headers of `main` for a language check."""
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    selectors = {
        "heading": "main h1, main h2, main h3",
        "button": "main button, main a.button",
        "label": "main label",
        "column": "main th",
        "nav": "nav.staff-nav a, nav.staff-nav button",
    }
    for kind, selector in selectors.items():
        for index, text in enumerate(page.locator(selector).all_inner_texts()):
            text = text.strip()
            if text and text not in ("Tropa", "English"):
                seen[f"{where}: {kind} {index + 1} {text!r}"] = text


def test_a_coordinator_triages_in_russian(page_js_off: Page, olga, ivan):
    page = page_js_off
    new_request("Пришла повестка. Что делать?", language="ru")

    # Given a coordinator with no language chosen: Russian, the default
    staff_sign_in(page, olga, language="ru")
    seen: dict[str, str] = {}
    nav(page, "/staff/inbox/")
    russian_words(page, "inbox", seen)
    shots(page, "inbox-ru")
    page.locator("table.inbox tbody a[href^='/staff/cases/']").first.click()
    russian_words(page, "request", seen)
    page.locator("section.triage button.primary").click()
    expect(page).to_have_url(CASE_URL)
    assert is_alias(page.get_by_role("heading", level=1).inner_text().strip())
    russian_words(page, "case", seen)
    shots(page, "case-ru")

    english = {where: text for where, text in seen.items() if not CYRILLIC.search(text)}
    assert not english, f"English on Russian pages: {sorted(english)}"
