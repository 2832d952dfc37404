"""The sealed directory of partners and route points, referrals with consent,
psychological sessions, and route points that warn journeys."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from tropa import vault
from tropa.accounts.models import Profession, Role
from tropa.assistance import directory, referrals
from tropa.assistance.models import Directory, Entry, EntryType, LegPoint, Referral
from tropa.assistance.referrals import ReferralText
from tropa.cases import actions as case_actions
from tropa.core import clock
from tropa.journeys import actions as journeys
from tropa.journeys.escalation import escalate_alerts
from tropa.journeys.models import Alert, AlertKind
from tropa.keyring.actions import NoAccess
from tropa.keyring.models import Envelope
from tropa.testing.factories import new_case, page_text

pytestmark = pytest.mark.django_db

SERVICE = {
    "name": "Психолог Анна (вымышленная)",
    "kind": "psychologist",
    "languages": "ru, en",
    "countries": "Armenia",
    "cities": "Yerevan",
    "mode": "remote",
    "cost": "free",
    "contacts": "@anna_example",
    "how_to_refer": "write first",
    "capacity": "2 a week",
}
POINT = {
    "name": "Верхний Ларс",
    "point_type": "border",
    "country": "Georgia",
    "status": "open",
    "status_note": "",
}


def add(coordinator, data, kind=EntryType.SERVICE) -> Entry:
    return directory.save_entry(
        None, kind, dict(data), coordinator.staff, coordinator.keys(), clock.now().date()
    )


def test_the_directory_is_sealed_to_every_active_colleague_and_the_recovery_key(
    coordinator, consultant
):
    entry = add(coordinator, SERVICE)
    assert "Анна".encode() not in bytes(entry.sealed)
    ring = Directory.objects.get(current=True).keyring
    holders = set(ring.envelopes.filter(recipient_kind="staff").values_list("staff_id", flat=True))
    assert {coordinator.staff.pk, consultant.staff.pk} <= holders
    assert ring.envelopes.filter(recipient_kind="recovery").count() == 1
    keys = directory.opened(consultant.staff, consultant.keys())
    assert directory.read([entry], keys)[0].name == SERVICE["name"]


def test_a_departed_colleague_cannot_open_the_directory_after_rotation(coordinator, consultant):
    entry = add(coordinator, SERVICE)
    old_ring = Directory.objects.get(current=True).keyring
    departed_keys = consultant.keys()
    consultant.staff.is_active = False
    consultant.staff.save()
    # The next colleague to open it rotates the key
    keys = directory.opened(coordinator.staff, coordinator.keys())
    new = Directory.objects.get(current=True)
    assert new.keyring_id != old_ring.pk
    assert not Envelope.objects.filter(keyring=old_ring).exists()  # shredded
    assert not new.keyring.envelopes.filter(staff=consultant.staff).exists()
    entry.refresh_from_db()
    assert directory.read([entry], keys)[0].name == SERVICE["name"]  # sealed again
    with pytest.raises(NoAccess):
        directory.opened(consultant.staff, departed_keys)


def test_only_coordinators_edit_and_a_consultant_reads(coordinator, consultant, signed_in):
    entry = add(coordinator, SERVICE)
    client = signed_in(consultant)
    assert SERVICE["name"] in page_text(client.get("/staff/directory/"))
    response = client.post(f"/staff/directory/{entry.pk}/", {"name": "changed"})
    assert response.status_code == 404
    with pytest.raises(directory.Refused):
        add(consultant, POINT, EntryType.ROUTE_POINT)


def test_bad_input_in_an_entry_is_said_and_kept(coordinator, signed_in):
    client = signed_in(coordinator)
    response = client.post(
        "/staff/directory/new/service/",
        {"name": "Юрист Пётр", "kind": "lawyer", "verified_on": "x"},
    )
    page = page_text(response)
    assert response.status_code == 400 and "Write the date as day.month.year" in page
    assert 'value="Юрист Пётр"' in page
    assert not Entry.objects.exists()


def journey_through(point, coordinator, consultant):
    _code, case = new_case(coordinator, consultant)
    leg = journeys.add_leg(
        case,
        consultant.staff,
        consultant.keys(),
        journeys.LegText("Автобус"),
        checkin_every_hours=6,
    )
    journeys.start_leg(leg, consultant.staff)
    LegPoint.objects.create(leg=leg, point=point)
    return case, leg


def test_closing_a_route_point_raises_one_alert_per_leg_through_it(coordinator, consultant):
    point = add(coordinator, POINT, EntryType.ROUTE_POINT)
    case_a, leg_a = journey_through(point, coordinator, consultant)
    case_b, leg_b = journey_through(point, coordinator, consultant)
    _c, elsewhere = new_case(coordinator, consultant)
    closed = {**POINT, "status": "closed_men", "status_note": "разворачивают мужчин"}
    directory.save_entry(
        point, point.type, closed, coordinator.staff, coordinator.keys(), clock.now().date()
    )
    alerts = Alert.objects.filter(kind=AlertKind.ROUTE)
    assert sorted(a.leg_id for a in alerts) == sorted([leg_a.pk, leg_b.pk])
    assert not Alert.objects.filter(case=elsewhere).exists()
    # Risky after closed, with the alerts still open: no second alert per leg
    risky = {**closed, "status": "risky"}
    directory.save_entry(
        point, point.type, risky, coordinator.staff, coordinator.keys(), clock.now().date()
    )
    assert Alert.objects.filter(kind=AlertKind.ROUTE).count() == 2


def test_the_case_page_names_the_point_and_shows_the_backup_plan(
    coordinator, consultant, signed_in
):
    point = add(coordinator, POINT, EntryType.ROUTE_POINT)
    case, _leg = journey_through(point, coordinator, consultant)
    closed = {**POINT, "status": "closed_men"}
    directory.save_entry(
        point, point.type, closed, coordinator.staff, coordinator.keys(), clock.now().date()
    )
    page = page_text(signed_in(consultant).get(f"/staff/cases/{case.pk}/"))
    assert "A route point on the journey changed" in page
    assert "Route point “Верхний Ларс” on leg 1 is now: Closed for men of draft age" in page
    assert "follow its backup plan" in page
    home = page_text(signed_in(consultant).get("/staff/"))
    assert "a route point on the journey changed" in home


@pytest.mark.django_db(transaction=True)
def test_two_watchers_escalate_a_route_alert_once(coordinator, consultant):
    point = add(coordinator, POINT, EntryType.ROUTE_POINT)
    journey_through(point, coordinator, consultant)
    directory.save_entry(
        point,
        point.type,
        {**POINT, "status": "risky"},
        coordinator.staff,
        coordinator.keys(),
        clock.now().date(),
    )
    moved: list[int] = []
    with clock.moved(timedelta(hours=1)):
        if connection.vendor == "sqlite":
            moved += [escalate_alerts(), escalate_alerts()]
        else:
            ready = threading.Barrier(2)

            def watcher() -> None:
                try:
                    ready.wait()
                    moved.append(escalate_alerts())
                finally:
                    connection.close()

            threads = [threading.Thread(target=watcher) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    assert sorted(moved) == [0, 1]
    assert Alert.objects.get(kind=AlertKind.ROUTE).stage == 1


def test_consent_comes_before_a_referral_is_sent(coordinator, consultant, signed_in):
    service = add(coordinator, SERVICE)
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(
        f"/staff/cases/{case.pk}/referrals/new/",
        {"service": str(service.pk), "kind": "psychologist", "notes": "тревога"},
    )
    referral = Referral.objects.get(case=case)
    url = f"/staff/cases/{case.pk}/referrals/{referral.pk}/"
    assert response.status_code == 302 and response["Location"] == url
    response = client.post(url, {"form": "status", "status": "sent"})
    assert response.status_code == 400
    assert "Record the person's consent before the referral is sent." in page_text(response)
    client.post(url, {"form": "consent", "consent_scope": "имя и телеграм"})
    response = client.post(
        url,
        {"form": "status", "status": "sent", "next_date": str(clock.now().date() + timedelta(3))},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.consented_at is not None
    assert referral.task is not None
    timeline = page_text(client.get(f"/staff/cases/{case.pk}/"))
    assert "Referral (Psychologist): The person consented → Sent to the partner." in timeline


def test_a_session_note_is_hidden_from_a_consultant_who_is_not_a_psychologist(
    coordinator, consultant, make_person, signed_in
):
    psychologist = make_person("marta", Role.CONSULTANT)
    psychologist.staff.profession = Profession.PSYCHOLOGIST
    psychologist.staff.save()
    _code, case = new_case(coordinator, consultant)
    case_actions.assign(case, psychologist.staff, coordinator.staff, coordinator.keys())
    referral = referrals.refer(
        case, None, "psychologist", consultant.staff, consultant.keys(), ReferralText()
    )
    referrals.record_consent(referral, consultant.staff, consultant.keys(), ReferralText("всё"))
    session = referrals.record_session(
        referral, clock.now().date(), 50, "Сон наладился", psychologist.staff
    )
    assert referrals.read_note(session, psychologist.keys()) == "Сон наладился"
    assert referrals.read_note(session, coordinator.keys()) == "Сон наладился"
    assert referrals.read_note(session, consultant.keys()) is None
    url = f"/staff/cases/{case.pk}/referrals/{referral.pk}/"
    assert "Сон наладился" not in page_text(signed_in(consultant).get(url))
    assert "Сон наладился" in page_text(signed_in(psychologist).get(url))


def test_a_quiet_psychological_referral_reminds_its_owner_once(coordinator, consultant):
    _code, case = new_case(coordinator, consultant)
    referral = referrals.refer(
        case, None, "psychologist", consultant.staff, consultant.keys(), ReferralText()
    )
    referrals.record_consent(referral, consultant.staff, consultant.keys(), ReferralText("всё"))
    referrals.move(
        referral, "ongoing", consultant.staff, consultant.keys(), ReferralText("всё"), None
    )
    referrals.record_session(referral, clock.now().date(), 50, "", coordinator.staff)
    assert referrals.follow_up_psychological_support() == 0
    with clock.moved(timedelta(days=15)):
        assert referrals.follow_up_psychological_support() == 1
        assert referrals.follow_up_psychological_support() == 0


def test_the_outsider_is_denied_referrals_and_route_points(
    coordinator, consultant, outsider, signed_in
):
    _code, case = new_case(coordinator, consultant)
    referral = referrals.refer(
        case, None, "lawyer", consultant.staff, consultant.keys(), ReferralText(notes="секрет")
    )
    client = signed_in(outsider)
    assert client.get(f"/staff/cases/{case.pk}/referrals/{referral.pk}/").status_code == 404
    assert client.get(f"/staff/cases/{case.pk}/referrals/new/").status_code == 404
    assert client.get(f"/staff/cases/{case.pk}/plan/route-points/").status_code == 404
    assert case.alias not in page_text(client.get("/staff/referrals/"))


def test_coordinators_see_unanswered_referrals_and_stale_entries(
    coordinator, consultant, signed_in
):
    stale = add(coordinator, SERVICE)
    Entry.objects.filter(pk=stale.pk).update(verified_on=clock.now().date() - timedelta(days=91))
    _code, case = new_case(coordinator, consultant)
    referral = referrals.refer(
        case, None, "doctor", consultant.staff, consultant.keys(), ReferralText()
    )
    referrals.record_consent(referral, consultant.staff, consultant.keys(), ReferralText("всё"))
    referrals.move(referral, "sent", consultant.staff, consultant.keys(), ReferralText("всё"), None)
    with clock.moved(timedelta(days=8)):
        client = signed_in(coordinator)
        home = page_text(client.get("/staff/"))
        listed = page_text(client.get("/staff/referrals/"))
    assert "1 directory entry not verified for 90 days" in home
    assert "1 referral without an answer for 7 days" in home
    assert case.alias in listed


def test_the_journeys_list_filters_by_route_point(coordinator, consultant, signed_in):
    point = add(coordinator, POINT, EntryType.ROUTE_POINT)
    through, _leg = journey_through(point, coordinator, consultant)
    _c, other = new_case(coordinator, consultant)
    text = journeys.LegText("Поезд")
    leg = journeys.add_leg(other, consultant.staff, consultant.keys(), text, checkin_every_hours=6)
    journeys.start_leg(leg, consultant.staff)
    client = signed_in(coordinator)
    everything = page_text(client.get("/staff/journeys/"))
    assert through.alias in everything and other.alias in everything
    filtered = page_text(client.get(f"/staff/journeys/?point={point.pk}"))
    assert through.alias in filtered and other.alias not in filtered
    nonsense = page_text(client.get("/staff/journeys/?point=not-an-id"))
    assert through.alias not in nonsense and other.alias not in nonsense


def test_a_colleague_with_new_keys_gets_a_fresh_copy(coordinator, consultant, signed_in):
    entry = add(coordinator, SERVICE)
    new_keys = vault.generate_keypair()
    consultant.staff.public_key = new_keys.public_key  # as after a password reset
    consultant.staff.save(update_fields=["public_key"])
    with pytest.raises(NoAccess):
        directory.opened(consultant.staff, new_keys)
    directory.opened(coordinator.staff, coordinator.keys())  # a colleague opens it
    keys = directory.opened(consultant.staff, new_keys)
    assert directory.read([entry], keys)[0].name == SERVICE["name"]


def test_interpreters_are_found_by_the_language_they_speak(coordinator, consultant, signed_in):
    add(coordinator, SERVICE)
    add(
        coordinator,
        {**SERVICE, "name": "Переводчик Икром", "kind": "interpreter", "languages": "узбекский"},
    )
    add(coordinator, {**SERVICE, "name": "Tarjimon Dilnoza", "kind": "interpreter",
                      "languages": "Oʻzbek, русский"})  # fmt: skip
    ivan = signed_in(consultant)
    found = page_text(ivan.get("/staff/directory/?language=uz"))
    assert "Переводчик Икром" in found and "Tarjimon Dilnoza" in found
    assert "Психолог Анна" not in found
    assert "Психолог Анна" in page_text(ivan.get("/staff/directory/?language=en"))
    # an unknown language is ignored, as if the filter were not set
    assert "Психолог Анна" in page_text(ivan.get("/staff/directory/?language=xx"))
