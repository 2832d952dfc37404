"""Retention: a closed case is shredded when its period ends and not before,
once; what stays is a content-free trace the statistics still count; a held
case is kept; a request nobody answered goes after a year without activity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils.timezone import localtime

from tropa.audit.models import Action, Entry
from tropa.cases import actions, labels, retention
from tropa.cases.models import Case, Message, Outcome, Situation, Status
from tropa.core import clock
from tropa.core.models import Tally
from tropa.keyring.models import Envelope
from tropa.reports import recount
from tropa.testing.factories import case_url, new_case, new_request

pytestmark = pytest.mark.django_db

REASON = "Апелляция в суде до весны: хранить материалы"


def closed_case(coordinator, consultant):
    codename, case = new_case(coordinator, consultant)
    keys = consultant.keys()
    actions.reply(case, consultant.staff, keys, "Здравствуйте")
    labels.add(case, labels.available(consultant.staff).first().pk, consultant.staff)
    actions.set_status(case, Status.CLOSED, consultant.staff, keys, Outcome.LEFT_COUNTRY)
    return codename, Case.objects.select_related("keyring").get(pk=case.pk)


def tally() -> set[tuple]:
    return set(
        Tally.objects.filter(n__gt=0).values_list(
            "measure", "day", "team", "channel", "situation", "region", "value", "n"
        )
    )


def after(days: int):
    return clock.moved(timedelta(days=days))


def test_a_closed_case_is_shredded_when_its_period_ends_and_not_before(
    coordinator, consultant, signed_in
):
    _codename, case = closed_case(coordinator, consultant)
    counted = tally()
    with after(settings.TROPA_RETAIN_CLOSED_DAYS - 1):
        assert retention.shred_due() == 0
    with after(settings.TROPA_RETAIN_CLOSED_DAYS + 1):
        assert retention.shred_due() == 1
        assert retention.shred_due() == 0  # once
    trace = Case.objects.get(pk=case.pk)
    assert trace.shredded_at is not None and trace.status == Status.CLOSED
    assert trace.outcome == Outcome.LEFT_COUNTRY and trace.situation == case.situation
    assert trace.alias == "" and bytes(trace.sealed_intake) == b"" and trace.staff_count == 0
    assert not Message.objects.filter(case=case).exists()
    assert not Envelope.objects.filter(keyring_id=case.keyring_id).exists()
    assert not case.requesters.exists() and not case.assignments.exists()
    assert Entry.objects.filter(action=Action.CASE_SHREDDED, case_id=case.pk).count() == 1
    # the published counts do not move, and a recount from the rows agrees
    counted_now = {row for row in counted if row[0] != "label"}
    assert {row for row in tally() if row[0] != "label"} == counted_now
    recount.rebuild()
    assert {row for row in tally() if row[0] != "label"} == counted_now
    # and it is gone from the staff's lists and pages
    ivan = signed_in(consultant)
    assert ivan.get(case_url(case)).status_code == 404
    assert case.pk.hex not in ivan.get("/staff/cases/?status=closed").content.decode()


def test_the_case_page_says_when_and_a_coordinator_holds_it(coordinator, consultant, signed_in):
    _codename, case = closed_case(coordinator, consultant)
    olga = signed_in(coordinator)
    page = olga.get(case_url(case)).content.decode()
    # the day in the helpline's time zone, as the page says it (late in the
    # evening UTC it is already the next day in Moscow)
    when = localtime(case.closed_at + timedelta(days=settings.TROPA_RETAIN_CLOSED_DAYS)).day
    assert "Shredded on" in page and f"{when} " in page
    # a consultant may not hold it
    denied = signed_in(consultant).post(case_url(case) + "hold/", {"reason": REASON})
    assert denied.status_code == 404
    # a hold without a reason is said, and nothing is held
    empty = olga.post(case_url(case) + "hold/", {"reason": "  "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    held = olga.post(case_url(case) + "hold/", {"reason": REASON}, follow=True).content.decode()
    assert "not shredded while held" in held and REASON in held
    stored = Case.objects.get(pk=case.pk)
    assert stored.held_at is not None and REASON.encode() not in bytes(stored.sealed_hold_reason)
    assert Entry.objects.filter(action=Action.CASE_HELD, case_id=case.pk).count() == 1
    with after(settings.TROPA_RETAIN_CLOSED_DAYS + 30):
        assert retention.shred_due() == 0
        olga.post(case_url(case) + "release/")
        assert Entry.objects.filter(action=Action.CASE_RELEASED, case_id=case.pk).count() == 1
        assert retention.shred_due() == 1


def test_a_request_nobody_answered_goes_after_a_year_closed_as_lost(org):
    _codename, case = new_request()
    open_before = sum(
        Tally.objects.filter(measure="open", value=Status.NEW).values_list("n", flat=True)
    )
    with after(settings.TROPA_RETAIN_UNANSWERED_DAYS - 1):
        assert retention.shred_due() == 0
    with after(settings.TROPA_RETAIN_UNANSWERED_DAYS + 1):
        assert retention.shred_due() == 1
    trace = Case.objects.get(pk=case.pk)
    assert trace.status == Status.CLOSED and trace.outcome == Outcome.LOST_CONTACT
    assert trace.situation != "" and trace.situation in Situation.values
    assert (
        sum(Tally.objects.filter(measure="open", value=Status.NEW).values_list("n", flat=True))
        == open_before - 1
    )
    assert Tally.objects.filter(measure="closed", value=Outcome.LOST_CONTACT, n=1).exists()


def test_open_cases_are_kept_however_old(coordinator, consultant):
    _codename, case = new_case(coordinator, consultant)
    with after(3 * 365):
        assert retention.shred_due() == 0
    assert retention.of(Case.objects.get(pk=case.pk)).shred_on is None


def test_a_tampered_hold_reason_is_said_not_a_crash(coordinator, consultant, signed_in):
    _codename, case = closed_case(coordinator, consultant)
    olga = signed_in(coordinator)
    olga.post(case_url(case) + "hold/", {"reason": REASON})
    sealed = bytearray(bytes(Case.objects.get(pk=case.pk).sealed_hold_reason))
    sealed[-1] ^= 1
    Case.objects.filter(pk=case.pk).update(sealed_hold_reason=bytes(sealed))
    page = olga.get(case_url(case))
    assert page.status_code == 200 and "The reason cannot be opened" in page.content.decode()


def test_an_outcome_may_have_a_period_of_its_own(coordinator, consultant, settings):
    settings.TROPA_RETAIN_CLOSED_BY_OUTCOME = {Outcome.LEFT_COUNTRY: 400}
    _codename, case = closed_case(coordinator, consultant)
    with after(settings.TROPA_RETAIN_CLOSED_DAYS + 1):
        assert retention.shred_due() == 0
    assert retention.of(case).shred_on == case.closed_at + timedelta(days=400)
    with after(401):
        assert retention.shred_due() == 1


def test_an_unknown_outcome_in_the_settings_stops_the_start(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.TROPA_RETAIN_CLOSED_BY_OUTCOME = {"vanished": 10}
    with pytest.raises(ImproperlyConfigured, match="vanished"):
        retention.check_settings()
