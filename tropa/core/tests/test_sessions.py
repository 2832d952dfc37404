"""Sessions end after the idle time and are renewed by each request, but a
request that changes nothing within the minute does not write the row again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tropa.core import clock
from tropa.core.sessions import SessionStore


def at_second_5(then: timedelta = timedelta(0)):
    """The clock moved by about `then`, to the 5th second of a minute: what
    follows (milliseconds) happens within one minute."""
    now = clock.now() + then
    return clock.moved(then + timedelta(seconds=65 - now.second, microseconds=-now.microsecond))


def session_writes(client, url="/staff/") -> int:
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return sum('"django_session"' in q["sql"] and "UPDATE" in q["sql"] for q in seen)


def expiry(client) -> object:
    return Session.objects.get(session_key=client.cookies["tropa_session"].value).expire_date


@pytest.fixture(autouse=True)
def skipping(settings):
    settings.TROPA_SESSION_SKIP_SAME_WRITE = True


def test_reading_pages_writes_the_session_once_a_minute_at_most(consultant, signed_in):
    client = signed_in(consultant)
    with at_second_5(timedelta(minutes=1)):
        assert session_writes(client) == 1  # a new minute: the idle time starts again
        ends = expiry(client)
        assert ends.second == 0 and ends.microsecond == 0
        assert session_writes(client) == 0  # the same row again: not written
        assert expiry(client) == ends
    with at_second_5(timedelta(minutes=3)):
        assert session_writes(client) == 1
        assert expiry(client) == ends + timedelta(minutes=2)


@pytest.mark.django_db
def test_any_change_to_the_session_is_written_at_once():
    with at_second_5():
        written_within_a_minute()


def written_within_a_minute():
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
