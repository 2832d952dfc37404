"""Two watchers racing over the same due rows: every alert, escalation and mail exactly once.

Real concurrency, no sleeps: two threads, each with its own database connection
(Django gives each thread one), released together by a barrier. A second
barrier makes the race certain rather than likely: each watcher first reads its
batch of due rows, and neither may claim anything until both have read, so
every row is seen as due by both and fought over by their conditional UPDATEs.
The suite runs on SQLite (writers queue on the IMMEDIATE lock) and again on
PostgreSQL (TROPA_DATABASE_URL).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.db.models import Count
from django.db.models.query import QuerySet

from tropa.audit.models import Action, Entry
from tropa.cases import actions as case_actions
from tropa.cases import retention
from tropa.cases import triage as case_triage
from tropa.cases.models import Case, Outcome, Status
from tropa.core import clock, watch
from tropa.core.models import Tally
from tropa.intake import actions as intake
from tropa.journeys.escalation import escalate_alerts, raise_missed_checkins
from tropa.journeys.models import Alert, AlertKind, Leg, LegStatus, Plan, Stage
from tropa.notify.models import Outbox
from tropa.notify.outbox import deliver_outbox

pytestmark = pytest.mark.django_db(transaction=True)

N = 40
WATCHERS = 2
TIMEOUT = 60  # seconds; only reached if something is badly wrong


@pytest.fixture
def legs(coordinator, consultant):
    """N accepted cases, each assigned to the consultant, with the coordinator on duty
    and one active leg whose check-in deadline plus grace passed an hour ago."""
    for person in (coordinator, consultant):
        person.staff.email = f"{person.username}@example.org"
        person.staff.save()
    keys = coordinator.keys()
    now = clock.now()
    made = []
    for _ in range(N):
        _codename, case = intake.submit_request({"situation": "at_front"}, "ru")
        case_triage.accept(case, coordinator.staff, keys)
        case_actions.assign(case, consultant.staff, coordinator.staff, keys)
        plan = Plan.objects.create(case=case)
        made.append(
            Leg(
                plan=plan,
                position=1,
                sealed_body=b"sealed",
                status=LegStatus.ACTIVE,
                checkin_every_hours=6,
                grace_minutes=30,
                next_checkin_due=now - timedelta(minutes=90),
                alert_due_at=now - timedelta(minutes=60),
            )
        )
    team = case.team
    team.duty_coordinator = coordinator.staff
    team.save()
    Leg.objects.bulk_create(made)
    Outbox.objects.all().delete()  # the assignments' own notifications
    mail.outbox.clear()
    return made


@pytest.fixture
def read_together(monkeypatch):
    """read_together(Model): in each racing thread, the first read of Model's rows
    (the watcher's batch of due rows) waits until every thread has made it."""
    gates: dict[type, threading.Barrier] = {}
    passed = threading.local()
    original = QuerySet._fetch_all

    def fetch_all(self: QuerySet) -> None:
        original(self)
        gate = gates.get(self.model)
        if threading.current_thread() is threading.main_thread():
            return  # the test itself, setting up or checking: never gated
        if gate is not None and not getattr(passed, self.model.__name__, False):
            setattr(passed, self.model.__name__, True)
            gate.wait(TIMEOUT)

    monkeypatch.setattr(QuerySet, "_fetch_all", fetch_all)

    def arm(model: type) -> None:
        gates[model] = threading.Barrier(WATCHERS)

    return arm


def race(job: Callable[[], int]) -> list[int]:
    """Run `job` in WATCHERS threads started together; return what each handled."""
    start = threading.Barrier(WATCHERS)
    results: list[int | None] = [None] * WATCHERS
    errors: list[BaseException] = []

    def watcher(slot: int) -> None:
        try:
            start.wait(TIMEOUT)
            results[slot] = job()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=watcher, args=(slot,)) for slot in range(WATCHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a watcher hung"
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


def assert_one_row_per_recipient_per_alert() -> None:
    doubled = (
        Outbox.objects.values("staff_id", "kind")
        .annotate(n=Count("id"))
        .filter(n__gt=N)  # each (recipient, kind) pair is owed one row per alert
    )
    assert not doubled.exists()


def test_two_watchers_raise_each_missed_checkin_once(legs, consultant, read_together):
    read_together(Leg)
    handled = race(raise_missed_checkins)

    assert sum(handled) == N, handled
    assert Alert.objects.count() == N
    assert Alert.objects.values("leg_id").distinct().count() == N
    assert set(Alert.objects.values_list("kind", "stage").distinct()) == {
        (AlertKind.MISSED, Stage.CONSULTANTS)
    }
    # Stage 0 tells the one assigned consultant: one row per alert, no more.
    assert Outbox.objects.count() == N
    assert set(Outbox.objects.values_list("staff_id", flat=True)) == {consultant.staff.pk}
    assert raise_missed_checkins() == 0


def test_two_watchers_escalate_each_alert_once(legs, coordinator, consultant, read_together):
    assert raise_missed_checkins() == N
    read_together(Alert)
    with clock.moved(timedelta(minutes=16)):
        handled = race(escalate_alerts)

        assert sum(handled) == N, handled
        assert set(Alert.objects.values_list("stage", flat=True)) == {Stage.DUTY}
        # Stage 1 tells the duty coordinator once per alert, on top of stage 0's rows.
        assert Outbox.objects.filter(staff=consultant.staff).count() == N
        assert Outbox.objects.filter(staff=coordinator.staff).count() == N
        assert Outbox.objects.count() == 2 * N
        assert escalate_alerts() == 0


def test_two_watchers_deliver_each_notification_once(legs, consultant, read_together):
    assert raise_missed_checkins() == N
    read_together(Outbox)
    handled = race(deliver_outbox)

    assert sum(handled) == N, handled
    assert len(mail.outbox) == N
    assert [m.to for m in mail.outbox] == [[consultant.staff.email]] * N
    assert not Outbox.objects.filter(delivered_at__isnull=True).exists()
    assert set(Outbox.objects.values_list("attempts", flat=True)) == {1}
    assert deliver_outbox() == 0


def test_two_full_watcher_cycles_race_without_duplicates(
    legs, coordinator, consultant, read_together
):
    read_together(Leg)
    read_together(Outbox)
    race(watch.run_cycle)

    assert Alert.objects.count() == N
    assert Alert.objects.values("leg_id").distinct().count() == N
    assert Outbox.objects.count() == N
    assert_one_row_per_recipient_per_alert()
    assert len(mail.outbox) == N  # each alert's notification sent once, by one of them

    # Later, both run again past the escalation delay: one step up per alert.
    read_together(Alert)
    with clock.moved(timedelta(minutes=16)):
        race(watch.run_cycle)
        assert set(Alert.objects.values_list("stage", flat=True)) == {Stage.DUTY}
        assert Outbox.objects.filter(staff=coordinator.staff).count() == N
        assert Outbox.objects.count() == 2 * N
        assert len(mail.outbox) == 2 * N
        assert not Outbox.objects.filter(delivered_at__isnull=True).exists()


def test_two_watchers_shred_each_due_case_once(coordinator, read_together):
    """Retention (tropa/cases/retention.py): every due case shredded, each once."""
    keys = coordinator.keys()
    for _ in range(10):
        _codename, case = intake.submit_request({"situation": "at_front"}, "ru")
        case_triage.accept(case, coordinator.staff, keys)
        case_actions.set_status(case, Status.CLOSED, coordinator.staff, keys, Outcome.AVOIDED)
    with clock.moved(timedelta(days=settings.TROPA_RETAIN_CLOSED_DAYS + 1)):
        read_together(Case)
        handled = race(retention.shred_due)
    assert sum(handled) == 10, handled
    assert Entry.objects.filter(action=Action.CASE_SHREDDED).count() == 10
    assert Case.objects.filter(shredded_at__isnull=False).count() == 10
    assert closed_counted() == 10  # the statistics still count each once


def closed_counted() -> int:
    return sum(Tally.objects.filter(measure="closed").values_list("n", flat=True))
