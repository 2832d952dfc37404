"""The requester's check-in box in the portal: safe, help, and the silent duress word.

A duress check-in must answer exactly as a safe one does: the same redirect,
the same headers, the same message and the same next page, apart from the
per-request CSRF token and session cookie.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tropa.cases import actions as case_actions
from tropa.cases import triage as case_triage
from tropa.conftest import english_client
from tropa.core import clock
from tropa.journeys import actions
from tropa.journeys.models import Alert, AlertKind, CheckIn, Leg, Stage
from tropa.testing.factories import checkins_said, new_requester, signed_in_client

pytestmark = pytest.mark.django_db

THANKS = "Thank you. Your check-in is recorded."
HELP = "We got your call for help. A consultant is being alerted now."
NOTHING = "There is nothing to check in for right now."
WORD = "Ромашка"
BOX = 'id="check-in"'


@pytest.fixture
def frozen(monkeypatch):
    """Tropa's clock stands still (clock.moved still moves it): two check-ins a
    moment apart set the same deadline, so their pages can be compared byte for byte."""
    fixed = clock.now().replace(second=5, microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: fixed + clock._offset)
    return fixed


@pytest.fixture
def journey(coordinator, consultant, frozen):
    """An accepted English request with a consultant and a two-leg plan, the first
    leg active with a check-in every 6 hours."""
    codename, case = new_requester("en")
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    case_actions.assign(case, consultant.staff, coordinator.staff, keys)
    first = actions.add_leg(
        case,
        consultant.staff,
        consultant.keys(),
        actions.LegText("Train to the border", backup_plan="Call the lawyer"),
        risk="high",
        checkin_every_hours=6,
    )
    actions.add_leg(
        case,
        consultant.staff,
        consultant.keys(),
        actions.LegText("Crossing", backup_plan="Go to the shelter"),
        checkin_every_hours=2,
    )
    actions.start_leg(first, consultant.staff)
    return {"case": case, "leg": first, "codename": codename}


def with_word(journey, consultant) -> None:
    actions.set_duress_word(journey["case"], consultant.staff, consultant.keys(), WORD)


def check_in(client, kind: str, word: str = ""):
    return client.post("/portal/check-in/", {"kind": kind, "note": word})


def normalised(response) -> tuple[int, dict[str, str], str]:
    """Status, headers (without cookies) and body with the CSRF token blanked."""
    headers = {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower() not in ("set-cookie",)
    }
    body = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"',
        'name="csrfmiddlewaretoken" value=""',
        response.content.decode(),
    )
    return response.status_code, headers, body


def messages_on(page: str) -> list[str]:
    return re.findall(r'<li class="msg[^"]*">([^<]*)</li>', page)


def test_the_box_is_at_the_top_of_the_portal_with_the_deadline(journey):
    page = signed_in_client(journey["codename"]).get("/portal/").content.decode()
    assert BOX in page
    assert page.index(BOX) < page.index('class="conversation"')
    assert "I am safe" in page and "I need help" in page
    assert "Anything to add?" in page and "duress" not in page.lower()
    assert "Check in before" in page


def test_a_safe_checkin_moves_the_deadline(journey, frozen, consultant):
    client = signed_in_client(journey["codename"])
    with clock.moved(timedelta(hours=1)):
        response = check_in(client, "safe")
        assert response.status_code == 302 and response.url == "/portal/"
        assert messages_on(client.get("/portal/").content.decode()) == [THANKS]
    leg = Leg.objects.get(pk=journey["leg"].pk)
    assert leg.next_checkin_due == clock.to_minute(frozen + timedelta(hours=7))  # coarse
    assert checkins_said(consultant) == ["safe"]
    assert Alert.objects.get().kind == AlertKind.CHECKIN


def test_i_need_help_raises_a_checkin_alert(journey, consultant):
    client = signed_in_client(journey["codename"])
    response = check_in(client, "help")
    assert response.status_code == 302 and response.url == "/portal/"
    assert messages_on(client.get("/portal/").content.decode()) == [HELP]
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.CHECKIN and alert.stage == Stage.CONSULTANTS
    assert alert.case_id == journey["case"].pk
    assert checkins_said(consultant) == ["help"]


def test_the_duress_word_alerts_silently_and_answers_exactly_as_safe(journey, consultant):
    with_word(journey, consultant)
    client = signed_in_client(journey["codename"])

    safe = check_in(client, "safe")
    after_safe = client.get("/portal/")
    duress = check_in(client, "safe", " ромашка ")
    after_duress = client.get("/portal/")

    assert checkins_said(consultant) == ["safe", "duress"]
    assert set(Alert.objects.values_list("kind", "stage")) == {
        (AlertKind.CHECKIN, Stage.CONSULTANTS)
    }
    # What the requester's browser gets is the same, byte for byte.
    assert safe.status_code == duress.status_code == 302
    assert normalised(safe) == normalised(duress)
    assert normalised(after_safe) == normalised(after_duress)
    assert messages_on(after_duress.content.decode()) == [THANKS]
    # And the word, or whether there is one, is never on the page.
    for page in (after_safe, after_duress):
        text = page.content.decode().lower()
        assert "ромашка" not in text and "duress" not in text


def test_the_portal_looks_the_same_with_or_without_a_duress_word(journey, consultant):
    client = signed_in_client(journey["codename"])
    before = client.get("/portal/")
    with_word(journey, consultant)
    after = client.get("/portal/")
    assert normalised(before) == normalised(after)


def test_a_wrong_word_is_an_ordinary_safe_checkin(journey, consultant):
    with_word(journey, consultant)
    client = signed_in_client(journey["codename"])
    safe = check_in(client, "safe")
    after_safe = client.get("/portal/")
    wrong = check_in(client, "safe", "клён")
    after_wrong = client.get("/portal/")
    assert checkins_said(consultant) == ["safe", "safe"]
    assert normalised(safe) == normalised(wrong)
    assert normalised(after_safe) == normalised(after_wrong)


def test_an_overlong_word_is_an_ordinary_safe_checkin(journey, consultant):
    with_word(journey, consultant)
    client = signed_in_client(journey["codename"])
    response = check_in(client, "safe", "x" * 5000)
    assert response.status_code == 302
    assert checkins_said(consultant) == ["safe"]


def test_without_an_active_leg_there_is_no_box_and_a_checkin_gets_a_plain_answer(
    journey, consultant
):
    actions.finish_leg(journey["leg"], consultant.staff)
    client = signed_in_client(journey["codename"])
    page = client.get("/portal/").content.decode()
    assert BOX not in page and "Anything to add?" not in page
    response = check_in(client, "safe")
    assert response.status_code == 302 and response.url == "/portal/"
    assert messages_on(client.get("/portal/").content.decode()) == [NOTHING]
    assert not CheckIn.objects.exists()


def test_a_request_without_a_plan_has_no_box(org):
    codename, _case = new_requester("en")
    client = signed_in_client(codename)
    assert BOX not in client.get("/portal/").content.decode()
    assert check_in(client, "help").status_code == 302
    assert not Alert.objects.exists()


def test_an_unknown_kind_records_nothing(journey):
    client = signed_in_client(journey["codename"])
    response = check_in(client, "duress")
    assert response.status_code == 302
    assert not CheckIn.objects.exists() and not Alert.objects.exists()


def test_another_requester_checks_in_only_for_their_own_case(journey):
    other_codename, _other_case = new_requester("en")
    other = signed_in_client(other_codename)
    response = check_in(other, "help")
    assert response.status_code == 302
    assert messages_on(other.get("/portal/").content.decode()) == [NOTHING]
    assert not CheckIn.objects.exists() and not Alert.objects.exists()
    leg = Leg.objects.get(pk=journey["leg"].pk)
    assert leg.last_checkin_at is None


def test_anonymous_visitors_are_sent_to_sign_in(journey):
    response = english_client().post("/portal/check-in/", {"kind": "help"})
    assert response.status_code == 302 and response.url == "/portal/login/"
    assert not CheckIn.objects.exists() and not Alert.objects.exists()


def test_it_takes_posts_only(journey):
    client = signed_in_client(journey["codename"])
    assert client.get("/portal/check-in/").status_code == 405
    assert not CheckIn.objects.exists()


def test_it_checks_csrf(journey):
    client = english_client(enforce_csrf_checks=True)
    page = client.get("/portal/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post("/portal/login/", {"codename": journey["codename"], "csrfmiddlewaretoken": token})
    assert check_in(client, "help").status_code == 403
    assert not CheckIn.objects.exists()
