"""The duty roster: the escalation ladder's duty step goes to whoever is on
shift; between shifts, to every coordinator of the team; a day off and a shift
past midnight are honoured; only the team's coordinators edit it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from tropa.accounts import roster
from tropa.accounts.models import Role, Shift, Staff
from tropa.audit.models import Action, Entry
from tropa.core import clock
from tropa.journeys.escalation import recipients
from tropa.journeys.models import Stage
from tropa.testing.factories import new_case

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


@pytest.fixture
def team(coordinator, make_person):
    second = make_person("vera", Role.COORDINATOR)
    Staff.objects.filter(pk=second.staff.pk).update(team=coordinator.staff.team)
    second.staff.refresh_from_db()
    return coordinator.staff.team, coordinator.staff, second.staff


def shift(team, who, starts, ends, **when) -> Shift:
    return roster.add_shift(team, roster.ShiftPlan(who, starts, ends, **when), actor=who)


def test_the_duty_step_follows_the_roster_and_goes_to_everyone_between_shifts(
    team, consultant, coordinator
):
    team, olga, vera = team
    _c, case = new_case(coordinator, consultant)
    shift(team, olga, time(9), time(17), weekday=0)
    shift(team, vera, time(17), time(9), weekday=0)  # past midnight
    assert roster.on_duty(team, at(MONDAY, 10)) == [olga]
    assert roster.on_duty(team, at(MONDAY, 23)) == [vera]
    assert roster.on_duty(team, at(MONDAY + timedelta(days=1), 3)) == [vera]
    assert roster.on_duty(team, at(MONDAY + timedelta(days=1), 10)) == []  # Tuesday: no one
    with clock.moved(at(MONDAY, 10) - clock.now()):
        assert recipients(case, Stage.DUTY) == [olga]
    with clock.moved(at(MONDAY + timedelta(days=1), 10) - clock.now()):
        assert sorted(p.username for p in recipients(case, Stage.DUTY)) == ["olga", "vera"]


def test_a_day_off_and_a_one_off_shift(team):
    team, olga, vera = team
    shift(team, olga, time(9), time(17), weekday=0)
    shift(team, olga, time(0), time(0, 1), on=MONDAY.date(), off=True)
    shift(team, vera, time(12), time(14), on=MONDAY.date())
    assert roster.on_duty(team, at(MONDAY, 10)) == []
    assert roster.on_duty(team, at(MONDAY, 13)) == [vera]
    assert roster.on_duty(team, at(MONDAY + timedelta(days=7), 10)) == [olga]  # next Monday


def test_without_a_roster_the_teams_duty_coordinator_is_asked(team, coordinator, consultant):
    team, olga, vera = team
    team.duty_coordinator = vera
    team.save()
    _c, case = new_case(coordinator, consultant)
    assert recipients(case, Stage.DUTY) == [vera]


def test_the_roster_page_adds_removes_and_keeps_bad_input(team, coordinator, signed_in):
    team, olga, vera = team
    client = signed_in(coordinator)
    page = client.get("/staff/roster/").content.decode()
    assert "No roster yet" in page
    bad = client.post("/staff/roster/", {"staff": vera.pk, "starts": "09:00", "ends": "17:00"})
    assert "Choose a weekday, or a date" in bad.content.decode()
    assert 'value="09:00"' in bad.content.decode() and not Shift.objects.exists()
    wrong = client.post("/staff/roster/", {"staff": vera.pk, "weekday": "2", "starts": "25:00",
                                           "ends": "17:00"})  # fmt: skip
    assert wrong.status_code == 200 and not Shift.objects.exists()
    client.post("/staff/roster/", {"staff": vera.pk, "weekday": "2", "starts": "09:00",
                                   "ends": "17:00"})  # fmt: skip
    made = Shift.objects.get()
    assert (made.staff, made.weekday) == (vera, 2)
    assert Entry.objects.filter(action=Action.ROSTER_CHANGED).count() == 1
    client.post(f"/staff/roster/{made.pk}/remove/")
    assert not Shift.objects.exists()


def test_only_the_teams_coordinators_reach_the_roster(team, consultant, admin, signed_in):
    team, olga, vera = team
    made = shift(team, olga, time(9), time(17), weekday=0)
    for person in (consultant, admin):
        client = signed_in(person)
        assert client.get("/staff/roster/").status_code == 404
        assert client.post(f"/staff/roster/{made.pk}/remove/").status_code == 404
    with pytest.raises(roster.Refused):
        shift(team, consultant.staff, time(9), time(17), weekday=1)
    assert Shift.objects.count() == 1
