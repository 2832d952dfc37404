"""The tally is kept in step with the cases: after every kind of change, it
holds exactly what a recount from the rows gives, and it outlives a shredded
case. Two writers at once never lose a count."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from tropa.cases import actions, labels
from tropa.cases import triage as case_triage
from tropa.cases.models import Label, Status
from tropa.core import clock, tally
from tropa.core.models import Tally
from tropa.core.tally import Key
from tropa.intake import actions as intake
from tropa.journeys import actions as journeys
from tropa.reports import recount
from tropa.testing.factories import answers_cleaned, new_case, new_request

pytestmark = pytest.mark.django_db


def kept() -> Counter:
    return Counter(
        {
            Key(r.measure, r.day, r.team, r.channel, r.situation, r.region, r.value): r.n
            for r in Tally.objects.exclude(n=0)
        }
    )


def in_step() -> None:
    assert kept() == +recount.counted_now()


def measure(name: str, value: str | None = None) -> int:
    rows = Tally.objects.filter(measure=name)
    if value is not None:
        rows = rows.filter(value=value)
    return sum(rows.values_list("n", flat=True))


def test_every_change_to_a_case_is_counted_as_a_recount_would(coordinator, consultant):
    boss = coordinator.staff, coordinator.keys()
    _c, case = new_case(coordinator, consultant)
    in_step()
    intake.create_case(answers_cleaned(), "ru", channel="telegram")
    in_step()
    _c, withdrawn = new_request()
    intake.delete_case(withdrawn)  # the person deleted everything: a bare count stays
    in_step()
    assert measure("received") == 3 and measure("received", "") == 3
    assert measure("open", "new") == 1

    actions.reply(case, consultant.staff, consultant.keys(), "Hello")
    actions.reply(case, consultant.staff, consultant.keys(), "Again")
    in_step()
    assert measure("first_response") == 1  # only the first reply counts

    _c, junk = new_request()
    assert case_triage.discard([junk], coordinator.staff) == 1
    in_step()
    assert case_triage.undo_discard(junk, coordinator.staff)
    in_step()
    case_triage.discard([junk], coordinator.staff)
    _c, duplicate = new_request()
    case_triage.merge(duplicate, case, *boss)
    in_step()
    assert measure("received") == 3  # junk and the duplicate do not count

    label = Label.objects.get(builtin="prisoner")
    labels.add(case, label.pk, consultant.staff)
    own = labels.define("Press asked", coordinator.staff)
    labels.add(case, own.pk, coordinator.staff)
    in_step()
    labels.remove(case, label.pk, consultant.staff)
    labels.undefine(own.pk, coordinator.staff)
    in_step()
    assert measure("label") == 0

    leg = journeys.add_leg(case, consultant.staff, consultant.keys(), journeys.LegText("Bus"))
    journeys.start_leg(leg, consultant.staff)
    in_step()
    journeys.fail_leg(leg, consultant.staff, consultant.keys())
    in_step()
    assert measure("journey", "failed") == 1
    journeys.undo_failure(leg, coordinator.staff)
    journeys.finish_leg(leg, consultant.staff)
    in_step()
    assert measure("journey", "failed") == 0 and measure("journey", "completed") == 1

    case.refresh_from_db()
    actions.set_status(case, Status.CLOSED, *boss, outcome="left_army")
    in_step()
    assert measure("closed", "left_army") == 1
    actions.set_status(case, Status.ACTIVE, *boss)  # reopened: no longer counted as closed
    in_step()
    assert measure("closed") == 0


def test_a_shredded_request_keeps_its_count(coordinator):
    _c, junk = new_request()
    case_triage.discard([junk], coordinator.staff)
    case_triage.undo_discard(junk, coordinator.staff)  # back: counted again
    before = measure("received")
    junk.refresh_from_db()
    case_triage.discard([junk], coordinator.staff)
    with clock.moved(timedelta(days=2)):
        assert case_triage.shred_discarded() == 1
    assert measure("received") == before - 1  # discarded: never counted as a request
    _c, real = new_request()
    real.delete()  # whatever removes a row later, the count it made stays
    assert measure("received") == before


def test_a_request_counts_in_the_helplines_day_and_month(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    late = clock.now().replace(hour=22, minute=30)  # 01:30 the next day in Moscow
    with clock.moved(late - clock.now()):
        new_request()
    day = Tally.objects.get(measure="received_day").day
    assert day == tally.local_day(late) and day != late.date()


@pytest.mark.django_db(transaction=True)  # the threads see committed rows
def test_two_writers_at_once_never_lose_a_count():
    key = Key("received_day", clock.now().date(), 1, "web", "summons")
    ready = threading.Barrier(2)

    def writer() -> None:
        try:
            ready.wait()
            for _ in range(25):
                tally.apply(Counter({key: 1}))
        finally:
            connection.close()

    if connection.vendor == "sqlite":  # one connection in memory: in turn
        for _ in range(50):
            tally.apply(Counter({key: 1}))
    else:
        threads = [threading.Thread(target=writer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert Tally.objects.get(measure="received_day").n == 50
