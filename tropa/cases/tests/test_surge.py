"""Surge mode: the start page answers at once with what to do, the
questionnaire asks what triage needs, temporary triage volunteers sort the
queue and stop when their time is up, the home page shows the queue grow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from tropa.accounts import actions as accounts
from tropa.accounts.models import Role, Staff
from tropa.audit.models import Action, Entry
from tropa.cases import surge
from tropa.cases.models import Case, Status
from tropa.conftest import english_client
from tropa.core import clock
from tropa.core import surge as surge_state
from tropa.keyring.models import Envelope, RecipientKind
from tropa.testing.factories import case_url, new_case, new_request
from tropa.testing.people import Person

pytestmark = pytest.mark.django_db

BUSY = {
    "en": "Very many people are writing to us right now.",
    "ru": "Сейчас нам пишет очень много людей.",
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_start_page_answers_at_once_with_what_to_do(coordinator, language):
    client = english_client() if language == "en" else Client()
    before = client.get("/").content.decode()
    assert BUSY[language] not in before and 'href="/help/"' in before
    surge.switch(coordinator.staff, on=True)
    page = client.get("/").content.decode()
    assert BUSY[language] in page and "<script" not in page
    assert 'href="/request/"' in page  # the way in stays
    assert BUSY[language] in client.get("/help/").content.decode()


def test_the_helpline_adds_its_own_words_per_language(coordinator, consultant, signed_in):
    olga = signed_in(coordinator)
    response = olga.post(
        "/staff/surge/", {"form": "words", "language": "en", "text": "Call no one. Wait here."}
    )
    assert response.status_code == 302
    surge.switch(coordinator.staff, on=True)
    assert "Call no one. Wait here." in english_client().get("/").content.decode()
    assert "Call no one. Wait here." not in Client().get("/").content.decode()  # Russian page
    assert signed_in(consultant).get("/staff/surge/").status_code == 404


def test_surge_asks_only_what_triage_needs_and_keeps_what_the_person_saw(coordinator):
    full = english_client().get("/request/").content.decode()
    assert 'name="name"' in full and 'name="short"' not in full
    surge.switch(coordinator.staff, on=True)
    client = english_client()
    short = client.get("/request/").content.decode()
    assert 'name="short" value="1"' in short and 'name="story"' in short
    assert 'name="name"' not in short and 'name="contact_handle"' not in short
    response = client.post(
        "/request/", {"short": "1", "situation": "summons", "story": "Повестка пришла вчера"}
    )
    assert response.status_code == 302
    # someone who opened the full form before the switch keeps every answer
    response = english_client().post(
        "/request/", {"situation": "summons", "name": "Пётр", "story": "Ещё до наплыва"}
    )
    assert response.status_code == 302
    assert Case.objects.filter(status=Status.NEW).count() == 2


def test_surge_switches_are_audited_and_only_for_coordinators_and_admins(
    coordinator, consultant, signed_in
):
    olga = signed_in(coordinator)
    assert (
        olga.post("/staff/surge/", {"form": "switch", "on": "1", "short": "on"}).status_code == 302
    )
    assert surge_state.current().on and surge_state.short_questionnaire()
    assert olga.post("/staff/surge/", {"form": "switch", "on": "0"}).status_code == 302
    assert not surge_state.current().on
    assert Entry.objects.filter(action=Action.SURGE_CHANGED).count() == 2
    with pytest.raises(surge.Refused):
        surge.switch(consultant.staff, on=True)


@pytest.mark.parametrize("count", ["0", "51", "many"])
def test_a_wrong_number_of_volunteers_is_said_and_kept(coordinator, signed_in, count):
    response = signed_in(coordinator).post(
        "/staff/surge/",
        {"form": "volunteers", "team": coordinator.staff.team_id, "count": count, "days": "3"},
    )
    assert response.status_code == 400
    assert f'value="{count}"' in response.content.decode()
    assert not Staff.objects.filter(role=Role.TRIAGE).exists()


def test_a_coordinator_makes_volunteers_for_their_own_team_only(coordinator, signed_in):
    other = accounts.create_team("Север", actor=None)
    olga = signed_in(coordinator)
    refused = olga.post(
        "/staff/surge/", {"form": "volunteers", "team": other.pk, "count": "2", "days": "3"}
    )
    assert refused.status_code == 400 and not Staff.objects.filter(role=Role.TRIAGE).exists()
    response = olga.post(
        "/staff/surge/",
        {"form": "volunteers", "team": coordinator.staff.team_id, "count": "3", "days": "3"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = re.findall(r"<code>(triage-[0-9a-f]{4}-\d\d)</code></td><td><code>([^<]+)</code>", page)
    assert len(rows) == 3
    made = Staff.objects.filter(role=Role.TRIAGE)
    assert made.count() == 3 and all(s.team_id == coordinator.staff.team_id for s in made)
    assert all(s.expires_at.date() == (clock.now() + timedelta(days=3)).date() for s in made)
    assert all(not s.has_keys and s.must_change_password for s in made)
    # the temporary passwords are kept nowhere in the clear
    assert not any(password in s.password for s in made for _u, password in rows)
    listed = olga.get("/staff/surge/").content.decode()
    assert all(username in listed and password not in listed for username, password in rows)


@pytest.fixture
def volunteer(coordinator, make_person):
    person = make_person("triage-ab12-01", Role.TRIAGE)
    Staff.objects.filter(pk=person.staff.pk).update(
        team=coordinator.staff.team, expires_at=clock.now() + timedelta(days=2)
    )
    person.staff.refresh_from_db()
    surge.share_intake_key(coordinator.staff, coordinator.keys())
    return person


def test_a_volunteer_sorts_new_requests_and_sees_nothing_else(
    coordinator, consultant, volunteer: Person, signed_in
):
    _c, triaged = new_case(coordinator, consultant)
    _codename, fresh = new_request()
    client = signed_in(volunteer)
    inbox = client.get("/staff/inbox/")
    assert inbox.status_code == 200 and str(fresh.pk) in inbox.content.decode()
    assert client.get(case_url(fresh)).status_code == 200  # reads the request to sort it
    assert client.get(case_url(triaged)).status_code == 404
    assert client.get("/staff/cases/").status_code == 404
    assert client.get("/staff/surge/").status_code == 404
    accepted = client.post(case_url(fresh) + "accept/")
    assert accepted.status_code == 302 and accepted.url == "/staff/inbox/"
    case = Case.objects.get(pk=fresh.pk)
    assert case.status == Status.TRIAGED and case.team_id == coordinator.staff.team_id
    # the accepted case is the team's: the volunteer holds no copy of its key
    assert not Envelope.objects.filter(keyring=case.keyring, staff=volunteer.staff).exists()
    assert client.get(case_url(fresh)).status_code == 404


def test_a_volunteer_stops_when_the_time_is_up(volunteer: Person, signed_in):
    client = signed_in(volunteer)
    assert client.get("/staff/inbox/").status_code == 200
    with clock.moved(timedelta(days=3)):
        assert client.get("/staff/inbox/").status_code == 302  # the session ends at once
        login = english_client().post(
            "/staff/login/",
            {
                "username": volunteer.username,
                "password": volunteer.password,
                "code": volunteer.code(),
            },
        )
        assert login.status_code == 200
        assert surge.expire_volunteers() + surge.expire_volunteers() == 1
    staff = Staff.objects.get(pk=volunteer.staff.pk)
    assert not staff.is_active
    assert not Envelope.objects.filter(recipient_kind=RecipientKind.STAFF, staff=staff).exists()
    assert Entry.objects.filter(action=Action.STAFF_EXPIRED, target_staff=staff).count() == 1


def test_the_home_page_shows_the_queue_and_its_growth(coordinator, volunteer, signed_in):
    with clock.moved(timedelta(hours=-1)):
        new_request()
    for _ in range(3):
        new_request()
    olga = signed_in(coordinator)
    assert 'id="home-surge"' not in olga.get("/staff/").content.decode()
    surge.switch(coordinator.staff, on=True)
    page = olga.get("/staff/").content.decode()
    assert 'id="home-surge"' in page and "The last 24 hours: 4" in page
    assert "Surge mode: switch, words, volunteers" in page
    seen = signed_in(volunteer).get("/staff/").content.decode()
    assert 'id="home-surge"' in seen and "Surge mode: switch" not in seen
