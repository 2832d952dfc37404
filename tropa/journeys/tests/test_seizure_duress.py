"""A seized database cannot tell a duress check-in from a safe one.

The adversary here holds the person and their codename, and has the server
with its pepper: they can find the person's case. Every row version the
check-in wrote is in their image (tropa/testing/writes.py). So two identical
journeys check in through the portal, one safe and one with the duress word,
and everything each wrote must be the same once what is unique to a case is
made anonymous (ids numbered, ciphertext by length). Kinds, stages, times,
counts, recipients and the order of the writes all still count.
"""

from __future__ import annotations

import pytest

from tropa.cases import actions as case_actions
from tropa.cases import triage as case_triage
from tropa.core import clock
from tropa.journeys import actions
from tropa.testing.factories import checkins_said, new_requester, signed_in_client
from tropa.testing.writes import Write, every_write, shape

pytestmark = pytest.mark.django_db

WORD = "Ромашка"


@pytest.fixture
def frozen(monkeypatch):
    fixed = clock.now().replace(second=5, microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: fixed + clock._offset)
    return fixed


def journey(coordinator, consultant) -> tuple[object, str]:
    """An accepted request with a consultant, the duress word agreed, a leg under way,
    and its requester signed in to the portal."""
    codename, case = new_requester("en")
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    case_actions.assign(case, consultant.staff, coordinator.staff, coordinator.keys())
    actions.set_duress_word(case, consultant.staff, consultant.keys(), WORD)
    leg = actions.add_leg(
        case,
        consultant.staff,
        consultant.keys(),
        actions.LegText("Train to the border"),
        checkin_every_hours=6,
    )
    actions.start_leg(leg, consultant.staff)
    return signed_in_client(codename), codename


def written_by(client, kind: str, word: str) -> list[Write]:
    writes: list[Write] = []
    with every_write(writes):
        response = client.post("/portal/check-in/", {"kind": kind, "note": word})
    assert response.status_code == 302
    return writes


@pytest.mark.parametrize("pressed", ["safe", "help"])
def test_a_duress_check_in_writes_what_the_same_button_writes_without_the_word(
    coordinator, consultant, frozen, pressed
):
    # Whether the person pressed "safe" or "help" the coercer sees anyway; the
    # word is what must not show.
    plain_client, _ = journey(coordinator, consultant)
    duress_client, _ = journey(coordinator, consultant)

    plain = written_by(plain_client, pressed, "")
    duress = written_by(duress_client, pressed, WORD)

    # The key opens both and they differ: the control that the test compares a
    # plain check-in with a duress signal, and that staff still see which is which.
    assert checkins_said(consultant) == [pressed, "duress"]
    tables = {write.table for write in plain}
    assert {"journeys_checkin", "journeys_alert", "notify_outbox", "cases_message"} <= tables
    assert shape(plain) == shape(duress)


def test_safe_and_help_differ_only_in_what_the_requester_is_shown(coordinator, consultant, frozen):
    """The rows of "safe" and "help" are the same too, but for the thank-you
    the requester's own session shows them (their screen says it anyway)."""
    safe_client, _ = journey(coordinator, consultant)
    help_client, _ = journey(coordinator, consultant)
    safe = [w for w in written_by(safe_client, "safe", "") if w.table != "django_session"]
    help_ = [w for w in written_by(help_client, "help", "") if w.table != "django_session"]
    assert checkins_said(consultant) == ["safe", "help"]
    assert shape(safe) == shape(help_)


def test_the_shape_tells_a_different_kind_apart(coordinator, consultant, frozen):
    """The comparison can fail: a plaintext kind, as duress had, shows."""
    safe_client, _ = journey(coordinator, consultant)
    writes = written_by(safe_client, "safe", "")
    changed = [
        Write(
            w.statement,
            w.table,
            w.columns,
            tuple("duress" if v == "checkin" else v for v in w.values),
        )
        for w in writes
    ]
    assert shape(writes) != shape(changed)
