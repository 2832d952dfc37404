"""The staff home, "what needs me now": each role's blocks, built from plaintext
metadata in a fixed number of queries, and nothing of other people's cases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tropa.accounts.models import LoginThrottle
from tropa.cases import actions as case_actions
from tropa.core import clock
from tropa.core.models import Heartbeat
from tropa.intake import actions as intake
from tropa.journeys import actions
from tropa.keyring.models import Envelope
from tropa.notify.models import Outbox
from tropa.testing.factories import count_queries, new_case, new_request

pytestmark = pytest.mark.django_db


def block(html: str, key: str) -> str:
    """One block of the home page, by its key."""
    found = re.search(rf'<(section|li)[^>]*id="home-{key}".*?</\1>', html, re.S)
    assert found, f"no block {key}"
    return found.group(0)


def count(html: str, key: str) -> int:
    found = re.search(r'class="badge home-count[^"]*">(\d+)<', block(html, key))
    assert found
    return int(found.group(1))


def home(client) -> str:
    response = client.get("/staff/")
    assert response.status_code == 200
    return response.content.decode()


def write_as_requester(codename: str, text: str = "Any news?") -> None:
    requester, who = intake.find_requester(codename)  # type: ignore[misc]
    intake.send_message(requester, who, text, [])


def journey(case, person):
    leg = actions.add_leg(
        case, person.staff, person.keys(), actions.LegText("Bus"), checkin_every_hours=4
    )
    actions.start_leg(leg, person.staff)
    return leg


def test_a_consultant_sees_who_waits_for_an_answer_until_someone_replies(
    coordinator, consultant, signed_in
):
    first_code, first = new_case(coordinator, consultant)
    second_code, second = new_case(coordinator, consultant)
    client = signed_in(consultant)
    # A new request waits for its first answer from the hour it came in
    assert count(home(client), "waiting") == 2
    case_actions.reply(first, consultant.staff, consultant.keys(), "Hello")
    case_actions.reply(second, consultant.staff, consultant.keys(), "Hello")
    assert count(home(client), "waiting") == 0
    with clock.moved(timedelta(hours=1)):
        write_as_requester(second_code)
    with clock.moved(timedelta(hours=3)):
        write_as_requester(first_code)
        write_as_requester(first_code, "Hello again?")  # still waiting since the first
        html = home(client)
    waiting = block(html, "waiting")
    assert count(html, "waiting") == 2
    # Longest waiting first, each with how long
    assert waiting.index(second.alias) < waiting.index(first.alias)
    assert "waiting 2" in waiting and "hours" in waiting
    # The case list shows the same queue and marker
    listed = client.get("/staff/cases/?status=waiting").content.decode()
    assert listed.count('class="badge waiting-badge"') == 2
    case_actions.reply(second, consultant.staff, consultant.keys(), "We are here")
    assert count(home(client), "waiting") == 1


def test_unread_entries_are_counted_per_person_until_they_open_the_case(
    coordinator, consultant, signed_in
):
    codename, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    client.get(f"/staff/cases/{case.pk}/")
    assert count(home(client), "unread") == 0
    write_as_requester(codename)
    write_as_requester(codename, "and a second thing")
    html = home(client)
    assert count(html, "unread") == 1 and "2 new entries" in block(html, "unread")
    listed = client.get("/staff/cases/?status=unread").content.decode()
    assert case.alias in listed and "2 unread" in listed
    client.get(f"/staff/cases/{case.pk}/")
    assert count(home(client), "unread") == 0
    assert case.alias not in client.get("/staff/cases/?status=unread").content.decode()


def test_open_alerts_show_a_duress_signal_in_red_though_it_is_sealed(
    coordinator, consultant, signed_in
):
    codename, case = new_case(coordinator, consultant)
    _code2, calm = new_case(coordinator, consultant)
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "ромашка")
    case.refresh_from_db()
    leg, calm_leg = journey(case, consultant), journey(calm, consultant)
    _requester, who = intake.find_requester(codename)  # type: ignore[misc]
    actions.check_in(calm_leg, "safe", channel="web")
    actions.check_in(leg, "safe", channel="web", word="Ромашка", requester_keys=who.keys)
    html = home(signed_in(consultant))
    alerts = block(html, "alerts")
    assert count(html, "alerts") == 2
    assert "DURESS" in alerts and "check-in with the duress word" in alerts
    # The duress comes first, the safe check-in after it
    assert alerts.index(case.alias) < alerts.index(calm.alias)
    assert "check-in to mark seen: safe" in alerts
    # Check-ins coming due in the next six hours (every four here)
    assert count(html, "checkins") == 2


def test_tasks_due_today_and_overdue_are_mine_only(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    keys = consultant.keys()
    case_actions.add_task(
        case, consultant.staff, consultant.staff, keys, "soon", clock.now() + timedelta(hours=3)
    )
    case_actions.add_task(
        case, consultant.staff, consultant.staff, keys, "late", clock.now() - timedelta(hours=3)
    )
    case_actions.add_task(
        case, consultant.staff, consultant.staff, keys, "later", clock.now() + timedelta(days=3)
    )
    case_actions.add_task(case, coordinator.staff, consultant.staff, keys, "not mine", clock.now())
    html = home(signed_in(consultant))
    assert count(html, "tasks") == 2
    assert "overdue" in block(html, "tasks")


def test_a_coordinator_sees_the_team_new_requests_targets_and_caseloads(
    coordinator, consultant, signed_in
):
    new_request()
    _code, staffed = new_case(coordinator, consultant)
    _code, nobody = new_case(coordinator)
    Outbox.objects.create(
        staff=consultant.staff, kind="alert_missed", attempts=4, last_error="smtp 550"
    )
    with clock.moved(timedelta(days=8)):
        html = home(signed_in(coordinator))
    assert count(html, "new") == 1
    assert count(html, "waiting") == 2
    late = block(html, "late")
    assert count(html, "late") == 2 and "no first answer yet" in late
    assert count(html, "unassigned") == 1 and nobody.alias in block(html, "unassigned")
    assert count(html, "stale") == 2
    assert "ivan" in block(html, "caseloads") and "1 case" in block(html, "caseloads")
    assert count(html, "failed-deliveries") == 1 and "smtp 550" in html


def test_counts_stop_at_the_cap_and_say_so(coordinator, consultant, signed_in, monkeypatch):
    """Past the cap a count reads "N+" and the list gives the exact figure:
    counting stops there, so the page costs the same whatever the backlog."""
    monkeypatch.setattr("tropa.core.home.CAP", 2)
    for _ in range(3):
        new_request()
        new_case(coordinator)
    new_case(coordinator, consultant)
    with clock.moved(timedelta(days=8)):
        html = home(signed_in(coordinator))
    for key in ("new", "waiting", "late", "stale", "unassigned"):
        assert re.search(r'class="badge home-count[^"]*">2\+<', block(html, key)), key
    assert "See them all" in block(html, "waiting")
    assert "Normal: 2+" in block(html, "new")
    # Under the cap, the exact figure
    monkeypatch.setattr("tropa.core.home.CAP", 5)
    with clock.moved(timedelta(days=8)):
        html = home(signed_in(coordinator))
    assert count(html, "waiting") == 4 and count(html, "unassigned") == 3
    assert "See them all" not in html


def test_an_outsider_sees_nothing_of_other_peoples_cases(
    coordinator, consultant, outsider, signed_in
):
    codename, case = new_case(coordinator, consultant)
    journey(case, consultant)
    write_as_requester(codename)
    html = home(signed_in(outsider))
    for key in ("waiting", "unread", "alerts", "checkins", "tasks"):
        assert count(html, key) == 0, key
    assert case.alias not in html


def test_the_admin_sees_health(admin, consultant, signed_in):
    Heartbeat.objects.filter(name="watcher").delete()
    LoginThrottle.objects.create(
        key="x" * 64, failures=10, locked_until=clock.now() + timedelta(minutes=5)
    )
    consultant.staff.is_active = False
    consultant.staff.save()
    Envelope.objects.filter(staff=consultant.staff).exists()  # holds none yet
    html = home(signed_in(admin))
    assert count(html, "loops") >= 1 and "The watcher" in block(html, "loops")
    assert count(html, "locked") == 1
    assert count(html, "failed-deliveries") == 0
    assert "home-waiting" not in html  # no casework for an admin


def test_the_admin_sees_disabled_accounts_that_still_hold_key_copies(
    admin, coordinator, consultant, signed_in
):
    new_case(coordinator, consultant)
    consultant.staff.is_active = False
    consultant.staff.save()
    html = home(signed_in(admin))
    assert count(html, "disabled-keys") == 1 and "ivan" in block(html, "disabled-keys")


def test_the_home_page_costs_the_same_queries_for_2_or_12_cases(coordinator, consultant, signed_in):
    def add(n: int) -> None:
        for _ in range(n):
            codename, case = new_case(coordinator, consultant)
            journey(case, consultant)
            write_as_requester(codename)
            actions.check_in(actions.active_leg(case), "help", channel="web")

    add(2)
    few = {
        who.username: count_queries(signed_in(who), "/staff/") for who in (consultant, coordinator)
    }
    add(10)
    many = {
        who.username: count_queries(signed_in(who), "/staff/") for who in (consultant, coordinator)
    }
    assert few == many
    assert max(many.values()) <= 40
