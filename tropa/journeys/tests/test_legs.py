"""A leg's life: changed or deleted before it starts, the case in transit while
it is under way, a failure confirmed and undone; the timeline keeps every
step, and a duress warning stays on the case until a coordinator clears it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tropa.audit.models import Action, Entry
from tropa.cases.models import Case, Status
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.journeys import actions
from tropa.journeys.escalation import escalate_alerts, raise_missed_checkins
from tropa.journeys.models import Alert, Leg, LegStatus
from tropa.testing.factories import case_url, new_case, signed_in_client

pytestmark = pytest.mark.django_db


def add(case, person, title="Bus", **settings) -> Leg:
    settings.setdefault("checkin_every_hours", 4)
    return actions.add_leg(case, person.staff, person.keys(), actions.LegText(title), **settings)


def page(client, case) -> str:
    response = client.get(case_url(case))
    assert response.status_code == 200
    return response.content.decode()


def test_a_planned_leg_is_changed_on_its_own_page(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    leg = add(case, consultant, "Train north")
    client = signed_in(consultant)
    form = client.get(case_url(case, f"plan/legs/{leg.pk}/edit/")).content.decode()
    assert 'value="Train north"' in form  # decrypted for the form
    fields = {
        "title": "Bus south",
        "risk": "high",
        "grace_minutes": "15",
        "checkin_every_hours": "2",
    }
    bad = client.post(case_url(case, f"plan/legs/{leg.pk}/edit/"), {**fields, "grace_minutes": "x"})
    assert bad.status_code == 400 and 'value="Bus south"' in bad.content.decode()
    done = client.post(case_url(case, f"plan/legs/{leg.pk}/edit/"), fields)
    assert done.status_code == 302
    leg.refresh_from_db()
    assert leg.risk == "high" and leg.grace_minutes == 15 and leg.checkin_every_hours == 2
    assert "Bus south" in page(client, case)
    assert b"Train north" not in bytes(leg.sealed_body)


def test_a_started_leg_cannot_be_changed_or_deleted(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    leg = add(case, consultant)
    actions.start_leg(leg, consultant.staff)
    client = signed_in(consultant)
    assert client.get(case_url(case, f"plan/legs/{leg.pk}/edit/")).status_code == 302
    fields = {"title": "X", "risk": "low", "grace_minutes": "1"}
    client.post(case_url(case, f"plan/legs/{leg.pk}/edit/"), fields)
    client.post(case_url(case, f"plan/legs/{leg.pk}/delete/"))
    leg.refresh_from_db()
    assert leg.status == LegStatus.ACTIVE and leg.risk == "medium"


def test_deleting_a_planned_leg_moves_the_later_ones_up(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    first, second, third = (add(case, consultant, t) for t in ("A", "B", "C"))
    assert (
        signed_in(consultant).post(case_url(case, f"plan/legs/{second.pk}/delete/")).status_code
        == 302
    )
    assert list(Leg.objects.order_by("position").values_list("pk", "position")) == [
        (first.pk, 1),
        (third.pk, 2),
    ]


def test_an_outsider_can_neither_change_nor_delete(coordinator, consultant, outsider, signed_in):
    _code, case = new_case(coordinator, consultant)
    leg = add(case, consultant)
    client = signed_in(outsider)
    assert client.get(case_url(case, f"plan/legs/{leg.pk}/edit/")).status_code == 404
    assert client.post(case_url(case, f"plan/legs/{leg.pk}/delete/")).status_code == 404
    assert Leg.objects.filter(pk=leg.pk).exists()


def test_the_case_is_in_transit_while_a_leg_is_under_way(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    leg = add(case, consultant)
    actions.start_leg(leg, consultant.staff)
    assert Case.objects.get(pk=case.pk).status == Status.IN_TRANSIT
    actions.finish_leg(leg, consultant.staff)
    assert Case.objects.get(pk=case.pk).status == Status.ACTIVE
    html = page(signed_in(consultant), case)
    assert "Leg 1 started." in html and "Leg 1 done." in html
    assert "from “Active” to “In transit”" in html


def test_a_coordinator_undoes_a_failure_within_the_hour(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    leg = add(case, consultant)
    actions.start_leg(leg, consultant.staff)
    actions.fail_leg(leg, consultant.staff, consultant.keys())
    tail = f"plan/legs/{leg.pk}/undo-failure/"
    assert signed_in(consultant).post(case_url(case, tail)).status_code == 404
    with clock.moved(timedelta(minutes=30)):
        assert signed_in(coordinator).post(case_url(case, tail)).status_code == 302
    leg.refresh_from_db()
    assert leg.status == LegStatus.ACTIVE and leg.next_checkin_due is not None
    assert Case.objects.get(pk=case.pk).status == Status.IN_TRANSIT
    assert "The failure of leg 1 was undone." in page(signed_in(coordinator), case)
    # An hour later it stays failed
    actions.fail_leg(leg, consultant.staff, consultant.keys())
    with clock.moved(timedelta(minutes=61)):
        signed_in(coordinator).post(case_url(case, tail))
    leg.refresh_from_db()
    assert leg.status == LegStatus.FAILED


def test_the_timeline_keeps_missed_checkins_escalations_and_acknowledgements(
    coordinator, consultant, signed_in
):
    _code, case = new_case(coordinator, consultant)
    leg = add(case, consultant, grace_minutes=10)
    actions.start_leg(leg, consultant.staff)
    with clock.moved(timedelta(hours=4, minutes=11)):
        assert raise_missed_checkins() == 1
    with clock.moved(timedelta(hours=4, minutes=30)):
        assert escalate_alerts() == 1
    actions.acknowledge(Alert.objects.get(), coordinator.staff)
    html = page(signed_in(consultant), case)
    assert "A check-in was missed: alert raised, told to: Assigned consultants." in html
    assert "escalated to Duty coordinator" in html
    assert "Alert (missed check-in) acknowledged by olga." in html


def test_a_duress_warning_survives_acknowledgement_until_a_coordinator_clears_it(
    coordinator, consultant, signed_in
):
    codename, case = new_case(coordinator, consultant)
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "ромашка")
    leg = add(case, consultant)
    actions.start_leg(leg, consultant.staff)
    _requester, who = intake.find_requester(codename)  # type: ignore[misc]
    actions.check_in(leg, "safe", channel="web", word="ромашка", requester_keys=who.keys)
    duress = leg.checkins.get()
    actions.check_in(leg, "safe", channel="web", word="", requester_keys=who.keys)
    for alert in Alert.objects.all():
        actions.acknowledge(alert, consultant.staff)
    html = page(signed_in(consultant), case)
    assert 'id="duress-marks"' in html and "acknowledged by ivan" in html
    assert html.count('class="duress-mark"') == 1  # the safe check-in leaves none
    assert "Clear this warning" not in html  # a consultant cannot clear it
    clear = case_url(case, f"plan/duress/{duress.pk}/clear/")
    assert signed_in(consultant).post(clear, {"reason": "fine"}).status_code == 404
    boss = signed_in(coordinator)
    empty = boss.post(clear, {"reason": "  "})
    assert (
        empty.status_code == 400 and "Say why the warning can be cleared." in empty.content.decode()
    )
    safe = leg.checkins.exclude(pk=duress.pk).get()
    assert (
        boss.post(case_url(case, f"plan/duress/{safe.pk}/clear/"), {"reason": "x"}).status_code
        == 404
    )
    assert boss.post(clear, {"reason": "Spoke by voice: free and safe"}).status_code == 302
    html = page(boss, case)
    assert 'id="duress-marks"' not in html
    assert "olga cleared the duress warning: Spoke by voice: free and safe" in html
    assert Entry.objects.filter(action=Action.PLAN_CHANGED, case_id=case.pk).exists()
    # The requester's side never shows any of it
    portal = signed_in_client(codename).get("/portal/").content.decode().lower()
    assert "duress" not in portal and "ромашка" not in portal and "warning" not in portal
