"""Headers, language and error pages that every response shares."""

from __future__ import annotations

import importlib
import logging
from contextlib import contextmanager

import pytest
from django.test import override_settings

from tropa.conftest import english_client, russian_client
from tropa.core.logging import StripAddresses, strip_addresses

pytestmark = pytest.mark.django_db


def test_it_sends_strict_security_headers_on_public_pages():
    response = russian_client().get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp  # no script at all, inline or not
    assert "style-src 'self'" in csp
    assert "form-action 'self'" in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_it_marks_staff_pages_no_store(consultant, signed_in):
    response = signed_in(consultant).get("/staff/account/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@contextmanager
def settings_from_environment(monkeypatch, **environment: str):
    """The real path: environment -> tropa.conf -> tropa/settings.py -> behaviour.

    tropa.settings is read again under `environment`, and every setting it then
    gives differently (apart from the database) is in force for the block.
    """
    import tropa.settings

    before = {name: getattr(tropa.settings, name) for name in dir(tropa.settings)}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    fresh = importlib.reload(tropa.settings)
    changed = {
        name: getattr(fresh, name)
        for name in dir(fresh)
        if name.isupper() and name != "DATABASES" and getattr(fresh, name) != before.get(name)
    }
    try:
        with override_settings(**changed):
            yield changed
    finally:
        for name in environment:
            monkeypatch.delenv(name)
        importlib.reload(tropa.settings)


def test_it_does_not_send_hsts_without_tls(monkeypatch):
    with settings_from_environment(monkeypatch, TROPA_HTTPS="false"):
        response = russian_client().get("/")
    assert "Strict-Transport-Security" not in response
    assert response.cookies["tropa_csrf"]["secure"] == ""


def test_it_sends_hsts_and_secure_cookies_under_tls(monkeypatch):
    with settings_from_environment(monkeypatch, TROPA_HTTPS="true") as changed:
        assert changed  # TROPA_HTTPS reached the settings
        response = russian_client().get("/", secure=True)
        redirected = russian_client().get("/")
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")
    assert response.cookies["tropa_csrf"]["secure"] is True
    assert redirected.status_code == 301 and redirected.url.startswith("https://")


def test_public_pages_default_to_russian_whatever_the_browser_says():
    response = russian_client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="ru" dir="ltr">' in page
    assert response["Content-Language"] == "ru"


def test_the_language_switch_works_without_javascript():
    client = russian_client()
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert '<html lang="en" dir="ltr">' in client.get("/").content.decode()
    cookie = response.cookies["tropa_lang"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"


def test_the_language_switch_ignores_unknown_languages_and_foreign_targets():
    client = russian_client()
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.url == "/"
    assert '<html lang="ru" dir="ltr">' in client.get("/").content.decode()


def test_the_language_switch_remembers_a_staff_members_choice(consultant, signed_in):
    client = signed_in(consultant)
    client.post("/language/", {"language": "ru", "next": "/staff/"})
    consultant.staff.refresh_from_db()
    assert consultant.staff.language == "ru"


def test_every_page_is_free_of_script_and_external_resources(consultant, signed_in):
    client = signed_in(consultant)
    for path in ["/", "/staff/", "/staff/account/", "/staff/password/"]:
        page = client.get(path).content.decode()
        assert "<script" not in page, path
        assert 'src="http' not in page and 'href="http' not in page, path


def test_an_unknown_page_is_a_kind_404_in_both_languages():
    assert "Not found" in english_client().get("/nothing-here/").content.decode()
    page = russian_client().get("/nothing-here/").content.decode()
    assert '<html lang="ru" dir="ltr">' in page


def test_log_messages_lose_anything_shaped_like_an_address(caplog):
    assert strip_addresses("from 203.0.113.9 and 2001:db8::1 ok") == (
        "from [address] and [address] ok"
    )
    logger = logging.getLogger("tropa.test")
    logger.addFilter(StripAddresses())
    try:
        with caplog.at_level(logging.INFO, logger="tropa.test"):
            logger.info("client %s said hi", "198.51.100.4")
    finally:
        logger.filters.clear()
    assert "198.51.100.4" not in caplog.text
    assert "[address]" in caplog.text
