"""Small defects found by trying Tropa as a new user would (issue 12, part 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from tropa.accounts.models import Role
from tropa.audit.log import record
from tropa.audit.models import Action, Entry
from tropa.cases import actions as case_actions
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.journeys import actions
from tropa.testing.factories import checkins_said, new_case, signed_in_client
from tropa.testing.people import english_client, russian_client, sign_in

pytestmark = pytest.mark.django_db


def test_an_empty_two_factor_code_gets_its_own_message(consultant):
    page = english_client().post(
        "/staff/login/", {"username": "ivan", "password": consultant.password, "code": ""}
    )
    text = page.content.decode()
    assert "the two-factor code is missing" in text
    assert "(optional)" not in text  # the code field is not labelled optional
    wrong = english_client().post(
        "/staff/login/", {"username": "ivan", "password": "nope", "code": "123456"}
    )
    assert "Wrong username, password or code." in wrong.content.decode()


@override_settings(TROPA_DEMO=True)
def test_the_demo_sign_in_page_lists_roles_and_the_password(consultant):
    page = english_client().get("/staff/login/").content.decode()
    assert "demo-only-passphrase" in page and "Consultant" in page and "ivan" in page


def test_a_production_sign_in_page_shows_no_demo_password(consultant):
    assert "demo-only-passphrase" not in english_client().get("/staff/login/").content.decode()


def test_the_audit_log_filters_by_short_case_id_and_folds_repeated_views(
    admin, coordinator, consultant, signed_in
):
    _code, case = new_case(coordinator, consultant)
    _code, other = new_case(coordinator, consultant)
    for minutes in (0, 3, 6, 30):
        with clock.moved(timedelta(minutes=minutes)):
            record(consultant.staff, Action.CASE_VIEWED, case_id=case.pk)
    client = signed_in(admin)
    page = client.get(f"/staff/audit/?case={str(case.pk)[:8]}").content.decode()
    assert str(other.pk)[:8] not in page
    assert "×3" in page  # three views within ten minutes are one row
    assert Entry.objects.filter(action=Action.CASE_VIEWED, case_id=case.pk).count() == 4
    bad = client.get("/staff/audit/?case=zz%00").content.decode()
    assert "That is not a case id." in bad


def test_the_main_team_has_a_russian_name_in_russian(coordinator, consultant):
    _code, case = new_case(coordinator, consultant)
    page = sign_in(russian_client(), coordinator).get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Основная команда" in page and ">Main<" not in page


def test_the_duress_word_is_found_inside_an_ordinary_note(coordinator, consultant):
    codename, case = new_case(coordinator, consultant)
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "Ромашка")
    leg = actions.add_leg(
        case, consultant.staff, consultant.keys(), actions.LegText("Bus"), checkin_every_hours=4
    )
    actions.start_leg(leg, consultant.staff)
    _requester, who = intake.find_requester(codename)  # type: ignore[misc]
    for note in ("Всё хорошо, РОМАШКА!", "ромашками пахнет", "всё хорошо", ""):
        actions.check_in(leg, "safe", channel="web", word=note, requester_keys=who.keys)
    assert checkins_said(consultant) == ["duress", "safe", "safe", "safe"]


def test_a_long_check_in_note_is_kept_short_and_the_person_is_told(coordinator, consultant):
    codename, case = new_case(coordinator, consultant)
    leg = actions.add_leg(
        case, consultant.staff, consultant.keys(), actions.LegText("Bus"), checkin_every_hours=4
    )
    actions.start_leg(leg, consultant.staff)
    client = signed_in_client(codename)
    response = client.post(
        "/portal/check-in/", {"kind": "safe", "note": "слово " * 100}, follow=True
    )
    assert "Your note was kept to its first 200 characters" in response.content.decode()
    keys = case.keyring and consultant.keys()

    note = actions.read_note(
        leg.checkins.get(), case_actions.open_case(case, consultant.staff, keys)
    )
    assert len(note) == 200


@override_settings(TROPA_TELEGRAM_HOURS="00:00-00:00")  # round the clock: any test hour
def test_a_coordinator_sets_the_team_response_targets(coordinator, consultant, signed_in):
    client = signed_in(coordinator)
    bad = client.post(
        "/staff/team/targets/", {"first_hours": "0", "next_hours": "x", "stale_days": ""}
    )
    assert bad.status_code == 400 and 'value="x"' in bad.content.decode()
    done = client.post(
        "/staff/team/targets/", {"first_hours": "2", "next_hours": "6", "stale_days": "3"}
    )
    assert done.status_code == 302
    coordinator.staff.team.refresh_from_db()
    team = coordinator.staff.team
    assert (team.first_response_hours, team.next_response_hours, team.stale_after_days) == (2, 6, 3)
    assert Entry.objects.filter(action=Action.TEAM_TARGETS_CHANGED).exists()
    assert (
        signed_in(consultant).post("/staff/team/targets/", {"first_hours": "1"}).status_code == 404
    )
    # A new case is past a two-hour target three hours on
    new_case(coordinator, consultant)
    with clock.moved(timedelta(hours=3)):
        home = client.get("/staff/").content.decode()
    assert 'id="home-late"' in home and "no first answer yet" in home


def test_no_search_box_for_a_role_without_cases(make_person, signed_in):
    analyst = make_person("pavel", Role.ANALYST)
    page = signed_in(analyst).get("/staff/").content.decode()
    assert 'name="q"' not in page  # no search box for a role with no cases


@override_settings(TROPA_TELEGRAM_HOURS="10:00-22:00", TROPA_TELEGRAM_TIMEZONE="Europe/Moscow")
def test_response_targets_count_consultant_hours_only(
    coordinator, consultant, signed_in, monkeypatch
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    evening = datetime(2026, 12, 3, 21, 30, tzinfo=ZoneInfo("Europe/Moscow"))
    monkeypatch.setattr(clock, "now", lambda: evening + clock._offset)
    team = coordinator.staff.team
    team.first_response_hours = 2
    team.save()
    new_case(coordinator, consultant)  # waits from 21:00, the hour it came in
    client = signed_in(coordinator)
    with clock.moved(timedelta(hours=3, minutes=30)):  # 01:00: one consultant hour
        assert 'id="home-late"' not in client.get("/staff/").content.decode().split("home-clear")[0]
    with clock.moved(timedelta(hours=14)):  # 11:30 next day: two and a half
        assert "no first answer yet" in client.get("/staff/").content.decode()
