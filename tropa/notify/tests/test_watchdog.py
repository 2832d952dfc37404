"""Monitor the monitor: a stopped watcher or bot is shown in red and told by e-mail once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from tropa.accounts.models import Role
from tropa.core import clock
from tropa.core.heartbeats import WATCHER
from tropa.core.models import Heartbeat
from tropa.notify import watchdog

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(coordinator):
    coordinator.staff.email = "olga@example.org"
    coordinator.staff.save(update_fields=["email"])
    team = coordinator.staff.team
    team.duty_coordinator = coordinator.staff
    team.save(update_fields=["duty_coordinator"])
    return coordinator


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    """Each test is a web process that has not checked yet."""
    monkeypatch.setattr(watchdog, "_last_check", None)


def test_a_stopped_watcher_is_told_to_the_duty_coordinator_once(duty, consultant, signed_in):
    Heartbeat.beat(WATCHER)
    client = signed_in(consultant)
    with clock.moved(timedelta(minutes=3)):
        page = client.get("/staff/").content.decode()
    assert "The watcher is not running since" in page
    assert [m.to for m in mail.outbox] == [["olga@example.org"]]
    assert mail.outbox[0].subject == "Tropa: СРОЧНО, эскалация не работает"  # her language
    # Further pages, in this process or another, send nothing more for this outage.
    with clock.moved(timedelta(minutes=10)):
        watchdog._last_check = None
        client.get("/staff/")
    assert len(mail.outbox) == 1


def test_a_watcher_that_comes_back_and_stops_again_is_told_again(duty):
    Heartbeat.beat(WATCHER)
    with clock.moved(timedelta(minutes=3)):
        assert watchdog.alarm_if_stale() == 1
        assert watchdog.alarm_if_stale() == 0
        Heartbeat.beat(WATCHER)  # it came back
    with clock.moved(timedelta(minutes=6)):
        assert watchdog.alarm_if_stale() == 1
    assert len(mail.outbox) == 2


def test_a_running_watcher_and_one_that_never_ran_send_nothing(duty):
    assert watchdog.alarm_if_stale() == 0  # never ran: a server being set up
    Heartbeat.beat(WATCHER)
    with clock.moved(timedelta(seconds=110)):
        assert watchdog.alarm_if_stale() == 0
    assert mail.outbox == []


def test_with_no_duty_coordinator_every_coordinator_is_told(coordinator, make_person):
    other = make_person("vera", Role.COORDINATOR)
    for person in (coordinator, other):
        person.staff.email = f"{person.username}@example.org"
        person.staff.save(update_fields=["email"])
    Heartbeat.beat(WATCHER)
    with clock.moved(timedelta(minutes=3)):
        assert watchdog.alarm_if_stale() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["olga@example.org", "vera@example.org"]


def test_a_stopped_bot_is_shown_when_telegram_is_configured(consultant, signed_in, settings):
    settings.TROPA_TELEGRAM_TOKEN = "123:fake"
    Heartbeat.beat(WATCHER)
    Heartbeat.beat("telegram")
    client = signed_in(consultant)
    with clock.moved(timedelta(minutes=3)):
        Heartbeat.beat(WATCHER)
        page = client.get("/staff/").content.decode()
    assert "The Telegram bot is not running since" in page
    assert "The watcher is not running" not in page


def test_the_bot_is_not_watched_without_a_token(consultant, signed_in, settings):
    settings.TROPA_TELEGRAM_TOKEN = ""
    Heartbeat.beat(WATCHER)
    page = signed_in(consultant).get("/staff/").content.decode()
    assert "Telegram bot is not running" not in page


def test_a_failing_check_never_breaks_the_page(consultant, signed_in, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(watchdog, "alarm_if_stale", broken)
    assert signed_in(consultant).get("/staff/").status_code == 200
