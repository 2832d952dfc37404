"""Browser fixtures: Playwright's sync API drives Debian's Chromium, headless,
against pytest-django's `live_server`.

Loaded for the whole suite by `pytest_plugins` in the repository's root
conftest.py. Tests that use it are marked `@pytest.mark.browser`:

    @pytest.mark.browser
    def test_it_signs_in(page_js_off):
        page_js_off.goto("/staff/login/")   # relative to live_server.url

We never download a browser (`playwright install` is not used): Chromium comes
from Debian at /usr/bin/chromium. Without it browser tests are skipped, except
under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an asyncio event loop in the test's own thread (it
# switches between greenlets under the hood). Django sees that running loop and
# refuses ORM calls from the same thread with SynchronousOnlyOperation, although
# nothing here is actually concurrent: the test code and the loop take turns.
# Fixtures and assertions that touch the database would fail, so allow it —
# for the test process only; production code never imports this module.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/tropa-shots")  # noqa: S108 (a fixed place to look at screenshots)

# Like Tor Browser on the phone of a requester: en-US whatever the person reads,
# JavaScript off (the "Safest" level), a small screen.
PHONE = {"width": 390, "height": 844}


def _missing_browser(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run; apt-get install chromium)")
    pytest.skip(f"{reason}; browser tests skipped (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        _missing_browser(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page_js_off(browser, live_server) -> Iterator[object]:
    """A fresh browser context (no cookies) with JavaScript off, yielding a page
    whose relative URLs resolve against the live server.

    After the test, it fails if anything went wrong that a person would see as
    a broken page without the test looking for it:
    - a request left the live server (it is aborted: pages must not load
      third-party resources, and tests must not touch the network beyond loopback);
    - a stylesheet, image or font failed to load (status 400 or more);
    - the browser reported an error, such as a Content-Security-Policy violation.
    """
    context = browser.new_context(
        java_script_enabled=False,
        locale="en-US",
        timezone_id="UTC",
        viewport=PHONE,
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    own_origin = urlsplit(live_server.url).netloc
    foreign: list[str] = []
    broken: dict[str, None] = {}  # ordered set
    errors: list[str] = []

    def guard(route):
        url = route.request.url
        if urlsplit(url).netloc == own_origin or url.startswith("data:"):
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()

    def check_response(response):
        if response.request.resource_type != "document" and response.status >= 400:
            broken[f"{response.status} {response.url}"] = None

    def check_console(message):
        if message.type != "error":
            return
        own_page = message.location.get("url") == page.url
        if message.text.startswith("Failed to load resource") and own_page:
            return  # the page's own status: a form shown again with errors answers 400
        errors.append(f"{message.text} (on {page.url})")

    page.on("response", check_response)
    page.on("console", check_console)
    try:
        yield page
    finally:
        context.close()
    assert not foreign, f"requests left the live server: {foreign}"
    assert not broken, f"page resources failed to load: {list(broken)}"
    assert not errors, f"the browser reported errors: {errors}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as /tmp/tropa-shots/<name>.png for a human to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def choose_public_language(page, language: str) -> None:
    """On a public page: pick the language in the header's list and press the switch."""
    page.locator("header form.lang select[name=language]").select_option(language)
    page.locator("header form.lang button[type=submit]").click()


def staff_sign_in(page, person, language: str = "en") -> None:
    """Sign a staff member in through the sign-in page, in `language`."""
    import re

    from playwright.sync_api import expect

    page.goto("/staff/login/")
    choice = page.locator(f"header form.lang button[value={language}]")
    if choice.is_enabled():  # the current language's button is disabled
        choice.click()
    form = page.locator("main form.card")
    form.locator("input[name=username]").fill(person.username)
    form.locator("input[name=password]").fill(person.password)
    form.locator("input[name=code]").fill(person.code())
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/(#[a-z-]+)?$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("nav.staff-nav")).to_be_visible()
