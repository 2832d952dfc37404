"""Sessions end after the idle time and are renewed by each request, but a
request that changes nothing within the minute does not write the row again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tropa.core.sessions import SessionStore


@pytest.fixture
def at_second_5(monkeypatch):
    """at_second_5(later): Django's clock (sessions read it, not Tropa's)
    moved by about `later`, to the 5th second of a minute, so that what
    follows (milliseconds) happens within one minute."""
    real = timezone.now

    def move(later: timedelta = timedelta(0)) -> None:
        now = real() + later
        shift = later + timedelta(seconds=65 - now.second, microseconds=-now.microsecond)
        monkeypatch.setattr(timezone, "now", lambda: real() + shift)

    return move


def session_writes(client, url="/staff/") -> int:
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return sum('"django_session"' in q["sql"] and "UPDATE" in q["sql"] for q in seen)


def stored(client) -> tuple[dict, object]:
    row = Session.objects.get(session_key=client.cookies["tropa_session"].value)
    return row.get_decoded(), row.expire_date


def expiry(client) -> object:
    return Session.objects.get(session_key=client.cookies["tropa_session"].value).expire_date


@pytest.fixture(autouse=True)
def skipping(settings):
    settings.TROPA_SESSION_SKIP_SAME_WRITE = True


def test_reading_pages_writes_the_session_once_a_minute_at_most(
    consultant, signed_in, at_second_5, monkeypatch
):
    client = signed_in(consultant)
    at_second_5(timedelta(minutes=1))
    assert session_writes(client) == 1  # a new minute: the idle time starts again
    ends = expiry(client)
    assert ends.second == 0 and ends.microsecond == 0
    before = stored(client)
    # a second later by the signer's clock: the signed data differs, the data not
    later = signing.b62_encode(int(time.time()) + 1)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: later)
    writes = session_writes(client)
    assert writes == 0, (before, stored(client))  # the same row again: not written
    assert expiry(client) == ends
    at_second_5(timedelta(minutes=3))
    assert session_writes(client) == 1
    assert expiry(client) == ends + timedelta(minutes=2)


@pytest.mark.django_db
def test_any_change_to_the_session_is_written_at_once(at_second_5):
    at_second_5()
    store = SessionStore()
    store["list"] = ["a"]
    store.create()
    key = store.session_key

    loaded = SessionStore(key)
    loaded["list"].append("b")  # changed in place: Django does not mark it modified
    assert not loaded.modified
    with CaptureQueriesContext(connection) as seen:
        loaded.save()
    assert any("UPDATE" in q["sql"] for q in seen)
    assert SessionStore(key)["list"] == ["a", "b"]

    unchanged = SessionStore(key)
    unchanged.load()
    with CaptureQueriesContext(connection) as seen:
        unchanged.save()
    assert not any("UPDATE" in q["sql"] for q in seen)
