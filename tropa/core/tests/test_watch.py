"""The watcher loop beats, survives failing jobs, stops on request, and is missed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from tropa.conftest import english_client
from tropa.core import clock, watch
from tropa.core.context_processors import WATCHER, watcher_is_down
from tropa.core.models import Heartbeat

BANNER = "The watcher is not running"


@pytest.fixture
def jobs(monkeypatch):
    """An empty job list for the test to fill; the real one is restored afterwards."""
    registered: list = []
    monkeypatch.setattr(watch, "JOBS", registered)
    monkeypatch.setattr(watch, "DELIVERY_JOBS", [])
    return registered


@pytest.mark.django_db
def test_it_writes_the_heartbeat_each_cycle(jobs):
    assert Heartbeat.age_seconds(WATCHER) is None
    watch.run_cycle()
    first = Heartbeat.objects.get(name=WATCHER).beat_at
    with clock.moved(timedelta(seconds=30)):
        watch.run_cycle()
    assert Heartbeat.objects.get(name=WATCHER).beat_at - first >= timedelta(seconds=30)
    assert Heartbeat.objects.count() == 1


@pytest.mark.django_db
def test_it_counts_what_the_jobs_handled(jobs):
    jobs.extend([lambda: 2, lambda: 3])
    assert watch.run_cycle() == 5


@pytest.mark.django_db
def test_it_runs_the_other_jobs_and_beats_when_one_job_fails(jobs, caplog):
    ran = []

    def broken() -> int:
        ran.append("broken")
        raise RuntimeError("disk on fire")

    def after() -> int:
        ran.append("after")
        return 1

    jobs.extend([broken, after])
    assert watch.run_cycle() == 1
    assert ran == ["broken", "after"]
    assert Heartbeat.age_seconds(WATCHER) is not None
    assert "watcher job broken failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_it_loops_until_its_stop_event_is_set(jobs):
    # Given a loop running in a thread (so it installs no signal handlers)
    stop = threading.Event()
    cycles = threading.Semaphore(0)

    def counted() -> int:
        cycles.release()
        return 0

    jobs.append(counted)

    def loop() -> None:
        try:
            watch.run_forever(stop=stop, interval=0.01)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    # When it has done a few cycles and is asked to stop
    for _ in range(3):
        assert cycles.acquire(timeout=10), "the watcher loop did not cycle"
    stop.set()
    thread.join(timeout=10)
    # Then it stops, having beaten
    assert not thread.is_alive()
    assert Heartbeat.age_seconds(WATCHER) is not None


@pytest.mark.django_db(transaction=True)
def test_it_does_not_cycle_when_stopped_before_starting(jobs):
    stop = threading.Event()
    stop.set()
    thread = threading.Thread(target=watch.run_forever, args=(stop, 0.01), daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert Heartbeat.age_seconds(WATCHER) is None


@pytest.mark.django_db
def test_it_says_the_watcher_is_down_when_it_never_ran():
    assert watcher_is_down()


@pytest.mark.django_db
def test_it_says_the_watcher_is_up_when_the_heartbeat_is_fresh():
    Heartbeat.beat(WATCHER)
    assert not watcher_is_down()
    with clock.moved(timedelta(seconds=119)):
        assert not watcher_is_down()


@pytest.mark.django_db
def test_it_says_the_watcher_is_down_when_the_heartbeat_is_stale():
    Heartbeat.beat(WATCHER)
    with clock.moved(timedelta(seconds=121)):
        assert watcher_is_down()


@pytest.mark.django_db
def test_it_ignores_heartbeats_of_other_loops():
    Heartbeat.beat("telegram")
    assert watcher_is_down()


@pytest.mark.django_db
def test_it_shows_staff_a_red_banner_when_the_watcher_never_ran(consultant, signed_in):
    page = signed_in(consultant).get("/staff/").content.decode()
    assert BANNER in page
    assert 'class="banner danger" role="alert"' in page


@pytest.mark.django_db
def test_it_shows_staff_the_banner_when_the_heartbeat_is_stale(consultant, signed_in):
    client = signed_in(consultant)
    Heartbeat.beat(WATCHER)
    with clock.moved(timedelta(minutes=3)):
        page = client.get("/staff/").content.decode()
    assert BANNER in page


@pytest.mark.django_db
def test_it_shows_no_banner_when_the_heartbeat_is_fresh(consultant, signed_in):
    client = signed_in(consultant)
    Heartbeat.beat(WATCHER)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert BANNER not in response.content.decode()


@pytest.mark.django_db
def test_it_shows_no_banner_to_requesters_even_when_the_watcher_is_down():
    assert watcher_is_down()
    assert BANNER not in english_client().get("/").content.decode()
