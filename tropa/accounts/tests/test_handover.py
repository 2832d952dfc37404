"""Handover notes between duty coordinators: sealed to the team's
coordinators, counted on the home page without being opened, lost with a
colleague's keys when they are in danger, shredded after two weeks, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tropa.accounts import actions, handover
from tropa.accounts.models import HandoverNote, Role, Staff
from tropa.audit.models import Action, Entry
from tropa.cases import danger
from tropa.core import clock
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, Keyring

pytestmark = pytest.mark.django_db

NOTE = "Ночью тревога по делу «Ива»: перезвонить в 9:00."


@pytest.fixture
def nina(make_person):
    return make_person("nina", Role.COORDINATOR)


def test_a_coordinator_leaves_a_note_the_next_one_reads(coordinator, nina, signed_in):
    olga = signed_in(coordinator)
    response = olga.post("/staff/roster/handover/", {"text": NOTE}, follow=True)
    page = response.content.decode()
    assert "The handover note is left for the next on duty." in page and "«Ива»" in page
    note = HandoverNote.objects.get()
    assert NOTE.encode() not in bytes(note.sealed_text)
    assert Entry.objects.filter(action=Action.HANDOVER_WRITTEN).count() == 1
    # nina's home counts it (from metadata), her page opens it
    home = signed_in(nina).get("/staff/").content.decode()
    assert 'id="home-handover"' in home and "From olga" in home and "«Ива»" not in home
    assert "«Ива»" in signed_in(nina).get("/staff/roster/handover/").content.decode()


def test_consultants_outsiders_and_other_teams_are_denied(
    coordinator, consultant, make_person, signed_in
):
    handover.write(coordinator.staff, NOTE)
    assert signed_in(consultant).get("/staff/roster/handover/").status_code == 404
    other = make_person("petr", Role.COORDINATOR)
    Staff.objects.filter(pk=other.staff.pk).update(team=actions.create_team("Север", actor=None))
    page = signed_in(other).get("/staff/roster/handover/").content.decode()
    assert "«Ива»" not in page and "No handover note in the last three days." in page


def test_an_empty_or_overlong_note_is_said_and_kept(coordinator, signed_in):
    olga = signed_in(coordinator)
    empty = olga.post("/staff/roster/handover/", {"text": "   "})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    long = "я" * (handover.MAX_LENGTH + 1)
    response = olga.post("/staff/roster/handover/", {"text": long})
    assert response.status_code == 200 and long in response.content.decode()
    assert not HandoverNote.objects.exists()


def test_a_colleague_in_danger_can_no_longer_open_it(admin, coordinator, nina):
    handover.write(coordinator.staff, NOTE)
    danger.mark_in_danger(nina.staff, actor=admin.staff)
    assert handover.read_recent(nina.staff, nina.keys()) == []
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(HandoverNote.objects.get().keyring, nina.staff, nina.keys())
    assert handover.read_recent(coordinator.staff, coordinator.keys())[0].text == NOTE


def test_an_altered_note_says_so(coordinator):
    handover.write(coordinator.staff, NOTE)
    note = HandoverNote.objects.get()
    sealed = bytearray(bytes(note.sealed_text))
    sealed[-1] ^= 1
    HandoverNote.objects.filter(pk=note.pk).update(sealed_text=bytes(sealed))
    assert handover.read_recent(coordinator.staff, coordinator.keys())[0].text is None


def test_old_notes_are_shredded_once_even_with_two_watchers(coordinator):
    handover.write(coordinator.staff, NOTE)
    ring = HandoverNote.objects.get().keyring_id
    with clock.moved(timedelta(days=13)):
        assert handover.shred_old() == 0
    with clock.moved(timedelta(days=15)):
        assert handover.shred_old() + handover.shred_old() == 1
    assert not HandoverNote.objects.exists()
    assert not Envelope.objects.filter(keyring_id=ring).exists()
    assert Keyring.objects.get(pk=ring).shredded_at is not None
