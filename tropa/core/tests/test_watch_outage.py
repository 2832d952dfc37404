"""A database outage in the middle of the watcher's work: it survives, backs
off, and afterwards escalates what became due meanwhile exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from tropa.accounts.models import Role
from tropa.core import clock, watch
from tropa.core.context_processors import WATCHER
from tropa.core.models import Heartbeat
from tropa.journeys.models import Alert
from tropa.testing.factories import active_journey
from tropa.testing.outage import SAID, database_away

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def journey(coordinator, consultant, make_person):
    return active_journey(coordinator, consultant, make_person("duty", Role.COORDINATOR))


def test_the_watcher_survives_an_outage_and_escalates_what_fell_due_once(journey, consultant):
    watcher = watch.Watcher(interval=5)
    assert watcher.step() == 5
    beat_before = Heartbeat.objects.get(name=WATCHER).beat_at

    # Given the database goes away just as a check-in is missed
    with clock.moved(timedelta(hours=6, minutes=31)), database_away():
        # When the watcher cycles during the outage, it neither dies nor acts
        waits = [watcher.step() for _ in range(4)]
    assert waits == [10, 20, 40, 60]  # backing off, to a minute at most
    assert Heartbeat.objects.get(name=WATCHER).beat_at == beat_before
    assert not Alert.objects.exists()

    # Then, once the database is back, the missed check-in is alerted exactly once
    with clock.moved(timedelta(hours=6, minutes=33)):
        assert watcher.step() == 5
        assert watcher.step() == 5
    assert Alert.objects.count() == 1
    assert [m.to for m in mail.outbox] == [[consultant.staff.email]]
    assert Heartbeat.objects.get(name=WATCHER).beat_at > beat_before


def test_an_outage_is_logged_without_what_the_database_said(journey, caplog):
    watcher = watch.Watcher(interval=5)
    with database_away():
        watcher.step()
    failures = [r for r in caplog.records if r.name == "tropa.watch" and r.levelname == "ERROR"]
    assert failures
    assert all(SAID not in r.getMessage() for r in failures)
    assert any("OperationalError" in r.getMessage() for r in failures)


def test_run_forever_keeps_cycling_through_an_outage(journey, monkeypatch):
    # run_forever waits through a stop event: it returns at once when told to stop,
    # and before that it must not raise whatever the database does.
    steps = []
    real_step = watch.Watcher.step

    def counted(self):
        steps.append(1)
        real_step(self)
        if len(steps) == 3:
            stop.set()
        return 0

    stop = watch.threading.Event()
    monkeypatch.setattr(watch.Watcher, "step", counted)
    with database_away():
        watch.run_forever(stop=stop, interval=5)
    assert len(steps) == 3
