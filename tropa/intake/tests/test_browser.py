"""A requester's whole journey in a real browser: JavaScript off, a phone screen.

Chromium (Debian's, through Playwright, see tropa/testing/browser.py) against
the live server: ask for help, keep the codename, come back with it, write,
attach a file, delete everything. In Russian, the default, and in English
chosen with the language buttons. Screenshots land in /tmp/tropa-shots/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tropa.core import clock
from tropa.keyring.actions import create_org_keys
from tropa.testing.browser import choose_public_language, screenshot

pytestmark = pytest.mark.browser

CYRILLIC = re.compile("[А-Яа-яЁё]")
CYRILLIC_WORD = re.compile(r"^[а-яё]+$")
LATIN_WORD = re.compile(r"^[a-z]+$")
STORY = {
    "ru": "Мне пришла повестка, явиться через десять дней. Что делать?",
    "en": "I got a summons to report in ten days. What should I do?",
}


@pytest.fixture
def org(transactional_db):
    """An initialised organisation, committed so the live server sees it."""
    recovery, _intake = create_org_keys()
    return recovery


def choose_language(page: Page, language: str) -> None:
    """Russian is the default; English is one press of the header button."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ru")
    if language == "en":
        choose_public_language(page, "en")
        expect(html).to_have_attribute("lang", "en")


def type_date(field: Locator, day: int, month: int, year: int) -> None:
    """Type a date as a person does: into the browser's date picker, or as day.month.year."""
    if field.get_attribute("type") == "date":
        field.fill(f"{year:04d}-{month:02d}-{day:02d}")
    else:
        field.fill(f"{day:02d}.{month:02d}.{year:04d}")


def as_plain_text_field(page: Page, name: str) -> Locator:
    """The field `name` as a browser without a date picker shows it: plain text.

    A native date picker cannot hold an impossible date such as 31.02, so to
    send one, as a person with such a browser (or a hand-made request) can,
    the field becomes a text box. Playwright does this from outside the page:
    the page itself still runs no script.
    """
    field = page.locator(f"form.intake [name={name}]")
    if field.get_attribute("type") == "date":
        field.evaluate("element => { element.type = 'text'; }")
    return field


def fill_request(page: Page, language: str) -> None:
    form = page.locator("form.intake")
    form.locator("input[name=situation][value=summons]").check()
    form.locator("select[name=region]").select_option("tatarstan")
    soon = clock.now().date() + timedelta(days=10)
    type_date(form.locator("[name=report_by]"), soon.day, soon.month, soon.year)
    form.locator("input[name=documents][value=internal_passport]").check()
    form.locator("textarea[name=story]").fill(STORY[language])


def send_request(page: Page) -> None:
    page.locator("form.intake button[type=submit]").click()


def codename_words(page: Page) -> list[str]:
    words = page.locator("main p.codename span")
    expect(words).to_have_count(7)
    return [w.strip() for w in words.all_inner_texts()]


def sign_in(page: Page, codename: str) -> None:
    page.goto("/portal/login/")
    form = page.locator("main form")
    form.locator("input[name=codename]").fill(codename)
    form.locator("button[type=submit]").click()


def send_message(page: Page, text: str, files: list[dict[str, object]] | None = None) -> None:
    form = page.locator("main form#write")
    form.locator("textarea[name=text]").fill(text)
    if files:
        form.locator("input[name=files]").set_input_files(files)
    form.locator("button[type=submit]").click()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_it_takes_a_request_keeps_the_codename_and_deletes_everything(
    page_js_off: Page, org, language
):
    page = page_js_off
    words_look = CYRILLIC_WORD if language == "ru" else LATIN_WORD
    html = page.locator("html")
    h1 = page.get_by_role("heading", level=1)

    # Given the start page, in the person's language
    page.goto("/")
    choose_language(page, language)

    # When they ask for help and fill the questionnaire
    page.locator("main p.actions a.button").click()
    expect(page).to_have_url(re.compile(r"/request/(#[a-z]+)?$"))
    expect(html).to_have_attribute("lang", language)
    if language == "en":
        expect(h1).to_have_text("Ask for help")
    fill_request(page, language)
    screenshot(page, f"intake-request-{language}")
    send_request(page)

    # Then the codename page shows seven words from the page's language
    expect(page).to_have_url(re.compile(r"/request/codename/(#[a-z]+)?$"))
    words = codename_words(page)
    assert all(words_look.match(word) for word in words), words
    screenshot(page, f"intake-codename-{language}")

    # When they try to go on without saying they wrote it down
    page.locator("main form button[type=submit]").click()

    # Then they are asked to write it down, and the same words are still there
    expect(page).to_have_url(re.compile(r"/request/codename/(#[a-z]+)?$"))
    expect(page.locator("main form .field.invalid .error")).to_be_visible()
    if language == "en":
        expect(page.locator("main form .error")).to_have_text(
            "Please write the codename down first: without it you cannot come back."
        )
    assert codename_words(page) == words
    screenshot(page, f"intake-codename-not-ticked-{language}")

    # When they tick the box and continue, they reach the portal
    page.locator("main form input[name=kept]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/(#[a-z]+)?$"))
    expect(page.locator("main ul.messages")).to_be_visible()
    screenshot(page, f"intake-portal-empty-{language}")

    # And write to the helpline
    first = {"ru": "Здравствуйте, жду ответа.", "en": "Hello, I am waiting for an answer."}[
        language
    ]
    send_message(page, first)
    expect(page).to_have_url(re.compile(r"/portal/(#[a-z]+)?$"))
    # Their story from the form opens their side of the conversation
    expect(page.locator("ol.conversation li.bubble.story")).to_have_count(1)
    mine = page.locator("ol.conversation li.bubble.mine:not(.story) p.body")
    expect(mine).to_have_text([first])

    # When they sign out and come back with the codename typed loosely
    page.locator("main .portal-head form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/(#[a-z]+)?$"))
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/portal/login/(#[a-z]+)?$"))
    sign_in(page, "-".join(words).upper())

    # Then the conversation shows their message
    expect(page).to_have_url(re.compile(r"/portal/(#[a-z]+)?$"))
    expect(mine).to_have_text([first])
    expect(html).to_have_attribute("lang", language)

    # When they paste the codename into a message, it is refused and the text kept
    leaky = {"ru": "Мой кодовый код: ", "en": "My codename is "}[language] + " ".join(words)
    send_message(page, leaky)
    expect(page).to_have_url(re.compile(r"/portal/send/(#[a-z]+)?$"))
    error = page.locator("main form .field.invalid .error")
    expect(error).to_be_visible()
    if language == "en":
        expect(error).to_have_text(
            "Your message contains your codename. Never send it to anyone, us included: "
            "remove it and send again."
        )
    expect(page.locator("main form textarea[name=text]")).to_have_value(leaky)
    expect(mine).to_have_text([first])
    screenshot(page, f"intake-portal-refused-{language}")

    # When they attach a small text file
    note = {"name": "note.txt", "mimeType": "text/plain", "buffer": "повестка 12.03".encode()}
    send_message(page, "", [note])
    expect(page).to_have_url(re.compile(r"/portal/(#[a-z]+)?$"))
    expect(page.locator("ol.conversation li.bubble.mine p.file a")).to_have_text(["note.txt"])
    screenshot(page, f"intake-portal-{language}")

    # When they delete everything and confirm
    page.locator("main p.danger-zone a").click()
    expect(page).to_have_url(re.compile(r"/portal/delete/(#[a-z]+)?$"))
    page.locator("main form input[name=confirm]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/delete/(#[a-z]+)?$"))
    if language == "en":
        expect(h1).to_have_text("Everything is deleted")
    expect(page.locator("main form")).to_have_count(0)

    # Then the codename opens nothing any more
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/portal/login/(#[a-z]+)?$"))
    sign_in(page, " ".join(words))
    expect(page).to_have_url(re.compile(r"/portal/login/(#[a-z]+)?$"))
    expect(page.locator("main form .field.invalid .error")).to_be_visible()
    if language == "en":
        expect(page.locator("main form .error")).to_have_text(
            "We found no conversation with this codename. Check the words and their order."
        )
    # The words they typed stay in the box, to be corrected rather than typed again
    expect(page.locator("main form input[name=codename]")).to_have_value(" ".join(words))


@pytest.mark.parametrize("language", ["ru", "en"])
def test_it_keeps_everything_typed_when_the_date_is_impossible(page_js_off: Page, org, language):
    page = page_js_off
    page.goto("/")
    choose_language(page, language)
    page.locator("main p.actions a.button").click()
    expect(page).to_have_url(re.compile(r"/request/(#[a-z]+)?$"))

    # Given a filled form with a date that does not exist
    fill_request(page, language)
    page.locator("form.intake input[name=situation][value=awol]").check()
    as_plain_text_field(page, "report_by").fill("31.02.2026")

    # When it is sent
    send_request(page)

    # Then the error is next to the date and nothing typed is lost
    expect(page).to_have_url(re.compile(r"/request/(#[a-z]+)?$"))
    date_field = page.locator("form.intake .field.invalid:has([name=report_by])")
    expect(date_field.locator(".error")).to_be_visible()
    if language == "en":
        expect(date_field.locator(".error")).to_contain_text("That date does not exist.")
    expect(page.locator(".field.invalid")).to_have_count(1)
    form = page.locator("form.intake")
    expect(form.locator("textarea[name=story]")).to_have_value(STORY[language])
    expect(form.locator("input[name=situation][value=awol]")).to_be_checked()
    expect(form.locator("select[name=region]")).to_have_value("tatarstan")
    expect(form.locator("input[name=documents][value=internal_passport]")).to_be_checked()
    expect(page.locator("main p.codename")).to_have_count(0)
    screenshot(page, f"intake-request-bad-date-{language}")

    # And once the date is corrected, the request goes through
    type_date(as_plain_text_field(page, "report_by"), 28, 2, clock.now().year + 1)
    send_request(page)
    expect(page).to_have_url(re.compile(r"/request/codename/(#[a-z]+)?$"))
    codename_words(page)


def test_it_shows_an_impossible_date_again_as_it_was_typed(page_js_off: Page, org):
    """Nothing typed is lost: the date the server refused is still in its field."""
    page = page_js_off
    page.goto("/request/")
    fill_request(page, "ru")
    as_plain_text_field(page, "report_by").fill("31.02.2026")
    send_request(page)
    date_field = page.locator("form.intake [name=report_by]")
    expect(date_field).to_have_value("31.02.2026")


def test_it_speaks_russian_on_every_requester_page(page_js_off: Page, org):
    """Russian is the default: headings and buttons of each step are in Russian."""
    page = page_js_off
    seen: dict[str, str] = {}

    def look(step: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        seen[f"{step}: heading"] = page.get_by_role("heading", level=1).inner_text()
        buttons = page.locator(
            "main form:not(.lang-list) button[type=submit], main a.button"
        ).all_inner_texts()
        for index, text in enumerate(buttons):
            seen[f"{step}: button {index + 1}"] = text

    page.goto("/")
    look("start page")
    page.locator("main p.actions a.button").click()
    look("request form")
    fill_request(page, "ru")
    send_request(page)
    look("codename page")
    words = codename_words(page)
    page.locator("main form input[name=kept]").check()
    page.locator("main form button[type=submit]").click()
    look("portal")
    page.locator("main p.danger-zone a").click()
    look("delete page")
    page.locator("main form input[name=confirm]").check()
    page.locator("main form button[type=submit]").click()
    look("deleted page")
    sign_in(page, " ".join(words))
    look("sign-in page")

    # (The language list names each language in its own script: not counted.)
    english = {where: text for where, text in seen.items() if not CYRILLIC.search(text)}
    assert not english, f"English on Russian pages: {english}"
