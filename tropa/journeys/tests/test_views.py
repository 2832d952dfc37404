"""The journey plan on the case page, alerts, and the coordinators' journeys page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tropa.accounts.models import Role
from tropa.cases import actions as case_actions
from tropa.cases import triage as case_triage
from tropa.cases.models import Case, Task
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.journeys import actions
from tropa.journeys.models import Alert, CheckIn, Leg, LegStatus, Plan
from tropa.notify.models import Outbox

pytestmark = pytest.mark.django_db

PROTOCOL = "Call lawyer Marker-P7 at once"
BACKUP = "Call the lawyer Backup-Q3\nGo to the shelter Backup-Z8"


def new_case(coordinator, consultant=None) -> Case:
    _codename, case = intake.submit_request({"situation": "at_front"}, "en")
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    if consultant is not None:
        case_actions.assign(case, consultant.staff, coordinator.staff, keys)
    return Case.objects.select_related("keyring", "team").get(pk=case.pk)


def url(case: Case, tail: str = "") -> str:
    return f"/staff/cases/{case.pk}/{tail}"


def page(client, case: Case) -> str:
    response = client.get(url(case))
    assert response.status_code == 200
    return response.content.decode()


def add_leg(person, case: Case, title: str = "Border crossing", **kwargs) -> Leg:
    return actions.add_leg(
        case,
        person.staff,
        person.keys(),
        actions.LegText(title, backup_plan=BACKUP),
        **{"risk": "high", "checkin_every_hours": 6, "grace_minutes": 30, **kwargs},
    )


def test_it_saves_the_protocol_sealed_and_shows_it(coordinator, consultant, signed_in):
    case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(
        url(case, "plan/protocol/"), {"protocol": PROTOCOL, "contacts": "Shelter Contact-K2"}
    )
    assert response.status_code == 302
    html = page(client, case)
    assert PROTOCOL in html and "Shelter Contact-K2" in html
    sealed = bytes(Plan.objects.get(case=case).sealed_protocol)
    assert b"Marker-P7" not in sealed and b"Contact-K2" not in sealed


def test_it_sets_a_duress_word_without_showing_it_back(coordinator, consultant, signed_in):
    case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    assert "No duress word is set." in page(client, case)
    response = client.post(url(case, "plan/duress/"), {"word": "sunflower-w4"})
    assert response.status_code == 302
    html = page(client, case)
    assert "A duress word is set." in html
    assert "sunflower-w4" not in html
    assert b"sunflower" not in bytes(Plan.objects.get(case=case).sealed_duress)


def test_it_adds_starts_checks_in_and_fails_a_leg(coordinator, consultant, signed_in):
    case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    # Given a leg added through the form
    response = client.post(
        url(case, "plan/legs/"),
        {
            "title": "Train to the border",
            "details": "Night train Detail-D5",
            "risk": "critical",
            "planned_start": "2030-01-02T20:00",
            "planned_end": "2030-01-03T08:00",
            "checkin_every_hours": "4",
            "grace_minutes": "20",
            "risk_notes": "Checks on board Note-N1",
            "backup_plan": BACKUP,
        },
    )
    assert response.status_code == 302
    leg = Leg.objects.get(plan__case=case)
    assert leg.risk == "critical" and leg.checkin_every_hours == 4 and leg.grace_minutes == 20
    assert b"Detail-D5" not in bytes(leg.sealed_body)
    html = page(client, case)
    assert "Train to the border" in html and "Detail-D5" in html and "Note-N1" in html
    # When it starts, a check-in is due
    assert client.post(url(case, f"plan/legs/{leg.pk}/start/")).status_code == 302
    leg.refresh_from_db()
    assert leg.status == LegStatus.ACTIVE and leg.next_checkin_due is not None
    assert "Next check-in due" in page(client, case)
    # A check-in by phone is recorded by staff
    assert (
        client.post(url(case, f"plan/legs/{leg.pk}/check-in/"), {"kind": "safe"}).status_code == 302
    )
    checkin = CheckIn.objects.get(leg=leg)
    assert checkin.channel == "staff" and checkin.recorded_by_id == consultant.staff.pk
    # Then it fails: the backup plan is on top and its steps are tasks
    # Failing asks first: without the box ticked nothing happens
    assert client.post(url(case, f"plan/legs/{leg.pk}/fail/")).status_code == 400
    leg.refresh_from_db()
    assert leg.status == LegStatus.ACTIVE
    confirmed = client.post(url(case, f"plan/legs/{leg.pk}/fail/"), {"confirm": "on"})
    assert confirmed.status_code == 302
    leg.refresh_from_db()
    assert leg.status == LegStatus.FAILED
    assert Task.objects.filter(case=case).count() == 2
    html = page(client, case)
    top = html.index('id="journey-backup"')
    assert top < html.index('class="case-layout"')
    assert html.index("Backup-Q3", top) < html.index('class="case-layout"')
    tasks = html[html.index('id="tasks"') :]
    assert "Go to the shelter Backup-Z8" in tasks


def test_it_marks_a_leg_done(coordinator, consultant, signed_in):
    case = new_case(coordinator, consultant)
    leg = add_leg(consultant, case)
    actions.start_leg(leg, consultant.staff)
    client = signed_in(consultant)
    assert client.post(url(case, f"plan/legs/{leg.pk}/done/")).status_code == 302
    leg.refresh_from_db()
    assert leg.status == LegStatus.DONE and leg.next_checkin_due is None


def test_it_rerenders_a_bad_leg_with_the_error(coordinator, consultant, signed_in):
    case = new_case(coordinator, consultant)
    response = signed_in(consultant).post(
        url(case, "plan/legs/"), {"title": "", "risk": "high", "grace_minutes": "30"}
    )
    assert response.status_code == 400
    assert "Name this leg of the journey." in response.content.decode()
    assert not Leg.objects.exists()


def test_it_shows_and_acknowledges_an_alert(coordinator, consultant, signed_in):
    case = new_case(coordinator, consultant)
    leg = add_leg(consultant, case)
    actions.start_leg(leg, consultant.staff)
    actions.check_in(leg, "help", channel="web")
    alert = Alert.objects.get()
    client = signed_in(consultant)
    html = page(client, case)
    # Open alerts come first on the page, above everything, on phones too.
    top = html[: html.index('<div class="case-layout">')]
    assert 'id="alerts"' in top
    assert "Check-in: asked for help" in top and "Acknowledge" in top
    response = client.post(url(case, f"alerts/{alert.pk}/acknowledge/"))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == consultant.staff.pk
    assert 'id="alerts"' not in page(client, case)


def test_it_shows_a_duress_signal_as_duress_to_staff(coordinator, consultant, signed_in):
    codename, case = intake.submit_request({"situation": "at_front"}, "en")
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    case_actions.assign(case, consultant.staff, coordinator.staff, coordinator.keys())
    case = Case.objects.select_related("keyring", "team").get(pk=case.pk)
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "sunflower")
    leg = add_leg(consultant, case)
    actions.start_leg(leg, consultant.staff)
    _requester, who = intake.find_requester(codename)
    # Given a requester who checks in "safe" with the duress word
    actions.check_in(leg, "safe", channel="web", word="sunflower", requester_keys=who.keys)
    # Then staff see a duress alert, unmistakably, at the top of the page
    html = page(signed_in(coordinator), case)
    top = html[: html.index('<div class="case-layout">')]
    assert "alert-duress" in top and "DURESS" in top and "Check-in with the duress word" in top


def test_journeys_page_orders_riskiest_and_most_overdue_first(coordinator, consultant, signed_in):
    quiet = new_case(coordinator, consultant)
    actions.start_leg(
        add_leg(consultant, quiet, risk="low", checkin_every_hours=10), consultant.staff
    )
    risky = new_case(coordinator, consultant)
    actions.start_leg(
        add_leg(consultant, risky, risk="critical", checkin_every_hours=10), consultant.staff
    )
    late = new_case(coordinator, consultant)
    actions.start_leg(
        add_leg(consultant, late, risk="low", checkin_every_hours=1), consultant.staff
    )
    alerted = new_case(coordinator, consultant)
    leg = add_leg(consultant, alerted, risk="low", checkin_every_hours=10)
    actions.start_leg(leg, consultant.staff)
    actions.check_in(leg, "help", channel="web")
    idle = new_case(coordinator, consultant)
    add_leg(consultant, idle, risk="critical")  # planned, not under way
    Outbox.objects.all().delete()
    Outbox.objects.create(
        staff=consultant.staff, kind="alert_help", attempts=3, last_error="smtp-err-E4"
    )
    Outbox.objects.create(staff=coordinator.staff, kind="alert_missed", attempts=1)
    with clock.moved(timedelta(hours=2)):
        response = signed_in(coordinator).get("/staff/journeys/")
    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(c.alias) for c in (alerted, late, risky, quiet)]
    assert order == sorted(order)
    assert idle.alias not in html
    assert "smtp-err-E4" in html and "alert_missed" not in html


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_journeys_page_is_for_casework_only(make_person, signed_in, role):
    person = make_person("someone", role)
    assert signed_in(person).get("/staff/journeys/").status_code == 404


def test_a_consultant_sees_the_journeys_and_alerts_of_their_own_cases_only(
    coordinator, consultant, make_person, signed_in
):
    other = make_person("maria", Role.CONSULTANT)
    mine, theirs = new_case(coordinator, consultant), new_case(coordinator, other)
    for case, person in ((mine, consultant), (theirs, other)):
        leg = add_leg(person, case)
        actions.start_leg(leg, person.staff)
        actions.check_in(leg, "help", channel="web")
    Outbox.objects.create(staff=coordinator.staff, kind="alert_missed", attempts=5)
    html = signed_in(consultant).get("/staff/journeys/").content.decode()
    assert mine.alias in html and theirs.alias not in html
    assert 'class="badge alert-count">1<' in html
    # The team's failed deliveries and ladder are the coordinators' business
    assert 'id="failed-deliveries"' not in html and 'id="escalation"' not in html


def test_it_denies_journey_actions_to_an_outsider(coordinator, consultant, outsider, signed_in):
    case = new_case(coordinator, consultant)
    leg = add_leg(consultant, case)
    actions.start_leg(leg, consultant.staff)
    alert = Alert.objects.create(case=case, leg=leg, kind="missed", raised_at=clock.now())
    client = signed_in(outsider)
    for tail, data in [
        ("plan/protocol/", {"protocol": "x", "contacts": ""}),
        ("plan/duress/", {"word": "x"}),
        ("plan/legs/", {"title": "x", "risk": "low", "grace_minutes": "30"}),
        (f"plan/legs/{leg.pk}/start/", {}),
        (f"plan/legs/{leg.pk}/done/", {}),
        (f"plan/legs/{leg.pk}/fail/", {}),
        (f"plan/legs/{leg.pk}/check-in/", {"kind": "safe"}),
        (f"alerts/{alert.pk}/acknowledge/", {}),
    ]:
        assert client.post(url(case, tail), data).status_code == 404, tail
    assert case.alias not in client.get("/staff/journeys/").content.decode()
    leg.refresh_from_db()
    alert.refresh_from_db()
    assert leg.status == LegStatus.ACTIVE and alert.acknowledged_at is None
    assert not CheckIn.objects.exists()


def test_the_team_coordinator_may_edit_the_plan(coordinator, consultant, signed_in):
    case = new_case(coordinator, consultant)
    response = signed_in(coordinator).post(
        url(case, "plan/protocol/"), {"protocol": PROTOCOL, "contacts": ""}
    )
    assert response.status_code == 302


def test_journeys_page_query_count_does_not_grow(
    coordinator, consultant, signed_in, django_assert_max_num_queries
):
    client = signed_in(coordinator)

    def journeys(n: int) -> None:
        for _ in range(n):
            case = new_case(coordinator, consultant)
            leg = add_leg(consultant, case, risk="medium")
            actions.start_leg(leg, consultant.staff)
            Alert.objects.create(case=case, leg=leg, kind="missed", raised_at=clock.now())
        Outbox.objects.update(attempts=5)

    journeys(3)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/staff/journeys/").status_code == 200
    journeys(17)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/staff/journeys/")
    assert response.content.decode().count('class="journey-row') == 20
