"""Coordinators set their team's ladder and a journey's own escalation times."""

from __future__ import annotations

import pytest

from tropa.accounts.models import Role
from tropa.cases import actions as case_actions
from tropa.cases import triage as case_triage
from tropa.intake import actions as intake
from tropa.journeys.escalation import ladder
from tropa.journeys.models import Plan

pytestmark = pytest.mark.django_db


def test_a_coordinator_sets_the_duty_coordinator_and_delays(coordinator, make_person, signed_in):
    duty = make_person("duty", Role.COORDINATOR)
    client = signed_in(coordinator)
    page = client.get("/staff/journeys/").content.decode()
    assert "Escalation for your team" in page
    response = client.post(
        "/staff/journeys/escalation/",
        {"duty_coordinator": duty.staff.pk, "to_duty": "10", "to_team": "20"},
    )
    assert response.status_code == 302
    team = coordinator.staff.team
    team.refresh_from_db()
    assert team.duty_coordinator == duty.staff
    assert (team.escalate_to_duty_minutes, team.escalate_to_team_minutes) == (10, 20)


def test_bad_minutes_change_nothing(coordinator, signed_in):
    client = signed_in(coordinator)
    response = client.post(
        "/staff/journeys/escalation/", {"to_duty": "0", "to_team": "9999"}, follow=True
    )
    assert "minutes must be 1 to 240" in response.content.decode()
    team = coordinator.staff.team
    team.refresh_from_db()
    assert team.escalate_to_duty_minutes == 15


def test_only_coordinators_set_the_ladder(consultant, analyst, admin, signed_in):
    for person in (consultant, analyst, admin):
        response = signed_in(person).post(
            "/staff/journeys/escalation/", {"to_duty": "5", "to_team": "5"}
        )
        assert response.status_code == 404


def test_a_journey_overrides_its_teams_delays(coordinator, consultant, outsider, signed_in):
    _codename, case = intake.submit_request({"situation": "at_front"}, "ru")
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    case_actions.assign(case, consultant.staff, coordinator.staff, coordinator.keys())
    url = f"/staff/cases/{case.pk}/plan/escalation/"
    assert signed_in(outsider).post(url, {"to_duty": "5", "to_team": "5"}).status_code == 404
    assert signed_in(consultant).post(url, {"to_duty": "5", "to_team": "7"}).status_code == 302
    plan = Plan.objects.get(case=case)
    case.refresh_from_db()
    assert ladder(case, plan) == (5, 7)
    signed_in(consultant).post(url, {"to_duty": "", "to_team": ""})
    plan.refresh_from_db()
    assert ladder(case, plan) == (15, 15)
