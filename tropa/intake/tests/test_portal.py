"""The requester portal: sign-in with a codename, the conversation, deleting everything."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tropa import vault
from tropa.audit.models import Action, Entry
from tropa.cases import timeline
from tropa.cases.models import Case, Kind, Message, Status
from tropa.conftest import english_client, russian_client
from tropa.core import clock
from tropa.intake import actions, codenames
from tropa.intake.models import PortalThrottle, Requester
from tropa.keyring.actions import NoAccess, grant_staff, open_keyring
from tropa.keyring.models import Envelope, Keyring
from tropa.testing.factories import new_requester, open_intake, signed_in_client

NOT_FOUND = "We found no conversation with this codename"
TOO_MANY = "Too many attempts"


@pytest.fixture
def requester(org):
    """(codename, case) of a stored English request."""
    return new_requester("en")


def wrong_codename() -> str:
    return codenames.generate_codename("en")


def at_start_of_a_minute() -> timedelta:
    """An offset that puts the clock ten seconds into a minute, so a test
    that counts failures per minute cannot straddle two minutes."""
    now = clock.now()
    return timedelta(seconds=(70 - now.second) % 60 - now.microsecond / 1_000_000)


def reply(case: Case, text: str) -> Message:
    """A staff reply, as the staff side stores it."""
    requester = Requester.objects.get(case=case)
    return timeline.append(
        case,
        Kind.REPLY,
        vault.seal_requester_reply(text, bytes(requester.public_key), case.public_key),
    )


# --- signing in -------------------------------------------------------------


def test_it_shows_the_sign_in_page_in_both_languages(db):
    ru = russian_client().get("/portal/login/").content.decode()
    en = english_client().get("/portal/login/").content.decode()
    assert '<html lang="ru"' in ru
    assert '<html lang="en"' in en
    assert "Sign in with your codename" in en
    assert 'autocomplete="off"' in en


def test_it_sends_a_stranger_to_the_sign_in_page(db):
    for path in ("/portal/", "/portal/delete/"):
        response = english_client().get(path)
        assert response.status_code == 302
        assert response.url == "/portal/login/"


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c,
        lambda c: c.upper(),
        lambda c: c.title(),
        lambda c: "   " + "   ".join(c.split()) + "  ",
        lambda c: "-".join(c.split()),
        lambda c: " - ".join(w.capitalize() for w in c.split()),
        lambda c: "\t".join(c.split()) + "\n",
    ],
    ids=["as-given", "upper", "title", "spaces", "hyphens", "spaced-hyphens", "tabs"],
)
def test_it_signs_in_with_the_codename_typed_loosely(requester, typed):
    codename, _case = requester
    client = english_client()
    response = client.post("/portal/login/", {"codename": typed(codename)})
    assert response.status_code == 302
    assert response.url == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_it_signs_in_a_russian_requester_with_yo_and_capitals(org):
    codename, _case = new_requester("ru")
    typed = codename.upper().replace("Е", "Ё")
    client = russian_client()
    assert client.post("/portal/login/", {"codename": typed}).url == "/portal/"


def test_a_wrong_codename_stays_in_the_box_to_be_corrected(requester):
    typed = "quietly wrong words kept to be corrected zebra"
    response = english_client().post("/portal/login/", {"codename": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_FOUND in page
    assert f'value="{typed}"' in page  # not typed again word by word
    assert response["Cache-Control"].startswith("no-store")


def test_it_never_echoes_the_right_codename_either(requester):
    codename, _case = requester
    client = english_client()
    for _ in range(5):
        client.post("/portal/login/", {"codename": wrong_codename()})
    guess = wrong_codename()
    page = client.post("/portal/login/", {"codename": guess}).content.decode()
    assert TOO_MANY in page
    assert guess not in page
    assert client.post("/portal/login/", {"codename": codename}).status_code == 302


def test_it_asks_for_a_codename_when_none_is_typed(db):
    response = english_client().post("/portal/login/", {"codename": "   "})
    assert "This field is required." in response.content.decode()
    assert not PortalThrottle.objects.exists()


@pytest.mark.parametrize(
    "typed", ["word " * 70, "a\x00b c d e f g", "\u202e" + "x " * 7], ids=["long", "nul", "rtl"]
)
def test_it_refuses_junk_codenames_without_echoing_them(requester, typed):
    response = english_client().post("/portal/login/", {"codename": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error"' in page
    assert typed not in page
    assert 'name="codename" value' not in page


def test_it_sheds_wrong_guesses_after_five_in_one_session(requester):
    codename, _case = requester
    client = english_client()
    for _ in range(5):
        page = client.post("/portal/login/", {"codename": wrong_codename()}).content.decode()
        assert NOT_FOUND in page
    shed = client.post("/portal/login/", {"codename": wrong_codename()})
    assert shed.status_code == 503
    assert TOO_MANY in shed.content.decode()
    assert 1 <= int(shed["Retry-After"]) <= 60
    assert client.get("/portal/").url == "/portal/login/"
    # The right codename still opens, in this session too: it is checked first.
    assert client.post("/portal/login/", {"codename": codename}).status_code == 302
    assert client.get("/portal/").status_code == 200


def test_it_limits_failures_for_everyone_per_minute(requester, settings):
    settings.TROPA_PORTAL_FAILURES_PER_MINUTE = 3
    codename, _case = requester
    with clock.moved(at_start_of_a_minute()):
        for _ in range(3):
            english_client().post("/portal/login/", {"codename": wrong_codename()})
        before = PortalThrottle.objects.get().failures
        shed = english_client().post("/portal/login/", {"codename": wrong_codename()})
        assert shed.status_code == 503 and TOO_MANY in shed.content.decode()
        assert shed["Retry-After"] == "50"  # ten seconds into the minute
        assert PortalThrottle.objects.get().failures == before  # shed without a write
        # A flood of wrong guesses never refuses someone who knows their codename
        assert signed_in_client(codename).get("/portal/").status_code == 200


def test_it_counts_failures_without_anything_about_who_failed(requester):
    with clock.moved(at_start_of_a_minute()):
        for _ in range(3):
            english_client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Probe/1.0").post(
                "/portal/login/", {"codename": wrong_codename()}
            )
        row = PortalThrottle.objects.get()
    assert [f.name for f in PortalThrottle._meta.get_fields()] == ["minute", "failures"]
    assert row.failures == 3
    assert (row.minute.second, row.minute.microsecond) == (0, 0)
    # An older minute's row goes when a new minute's failure arrives.
    with clock.moved(at_start_of_a_minute() + timedelta(minutes=2)):
        english_client().post("/portal/login/", {"codename": wrong_codename()})
    assert PortalThrottle.objects.count() == 1
    assert PortalThrottle.objects.get().failures == 1


def test_it_does_not_sign_in_a_deleted_case(requester):
    codename, case = requester
    Case.objects.filter(pk=case.pk).update(status=Status.DELETED)
    page = english_client().post("/portal/login/", {"codename": codename}).content.decode()
    assert NOT_FOUND in page


def test_it_signs_out_a_session_whose_case_was_deleted(requester):
    codename, case = requester
    client = signed_in_client(codename)
    Case.objects.filter(pk=case.pk).update(status=Status.DELETED)
    assert client.get("/portal/").url == "/portal/login/"


def test_it_ends_the_session_on_logout(requester):
    codename, _case = requester
    client = signed_in_client(codename)
    response = client.post("/portal/logout/")
    assert response.status_code == 302
    assert client.get("/portal/").url == "/portal/login/"
    assert not Session.objects.filter(session_data__contains="held_codename").exists()


def test_it_signs_out_only_by_post(requester):
    codename, _case = requester
    client = signed_in_client(codename)
    assert client.get("/portal/logout/").status_code == 405
    assert client.get("/portal/").status_code == 200


def test_it_ends_the_session_after_inactivity(requester):
    codename, _case = requester
    client = signed_in_client(codename)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/portal/").url == "/portal/login/"


def test_it_needs_both_the_cookie_and_the_session_row(requester):
    codename, _case = requester
    client = signed_in_client(codename)
    session_only = english_client()
    session_only.cookies["tropa_session"] = client.cookies["tropa_session"].value
    assert session_only.get("/portal/").url == "/portal/login/"


def test_it_caches_no_portal_page(requester):
    codename, _case = requester
    client = signed_in_client(codename)
    for path in ("/portal/", "/portal/delete/", "/portal/login/"):
        assert client.get(path)["Cache-Control"].startswith("no-store")


# --- the conversation -------------------------------------------------------


def test_it_stores_a_message_sealed_and_shows_it(requester, coordinator):
    codename, case = requester
    client = signed_in_client(codename)
    response = client.post("/portal/send/", {"text": "Where do I go on Monday? marker-MSG-77"})
    assert response.status_code == 302
    assert response.url == "/portal/"
    page = client.get("/portal/").content.decode()
    assert "Where do I go on Monday? marker-MSG-77" in page
    assert "Sent. We will answer here." in page

    message = Message.objects.get(case=case)
    assert message.kind == Kind.FROM_REQUESTER
    assert (message.created_at.second, message.created_at.microsecond) == (0, 0)
    assert b"marker-MSG-77" not in bytes(message.sealed_body)
    mine = actions.identity(codename).keys
    assert b"marker-MSG-77" in vault.open_from_many(mine, bytes(message.sealed_body))
    case_keys = open_keyring(case.keyring, coordinator.staff, coordinator.keys())
    assert b"marker-MSG-77" in vault.open_from_many(case_keys, bytes(message.sealed_body))


def test_it_keeps_line_breaks_and_escapes_markup(requester):
    codename, _case = requester
    client = signed_in_client(codename)
    client.post("/portal/send/", {"text": "line one\nline <script>two</script>"})
    page = client.get("/portal/").content.decode()
    assert "line one<br>line &lt;script&gt;two&lt;/script&gt;" in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    "leak",
    [
        lambda c: c,
        lambda c: c.upper(),
        lambda c: "-".join(c.split()),
        lambda c: " ".join(c.split()[1:6]),
        lambda c: "".join(c.split()[2:7]),
        lambda c: "\n".join(c.split()),
    ],
    ids=["exact", "upper", "hyphenated", "five-words", "run-together", "lines"],
)
def test_it_refuses_a_message_with_the_codename(requester, leak):
    codename, case = requester
    client = signed_in_client(codename)
    text = f"Hello, my codename is {leak(codename)}, please help"
    response = client.post("/portal/send/", {"text": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Your message contains your codename" in page
    assert "please help</textarea>" in page
    assert not Message.objects.filter(case=case).exists()


def test_it_sends_a_message_with_four_words_of_the_codename(requester):
    codename, case = requester
    client = signed_in_client(codename)
    text = " ".join(codename.split()[:4]) + " are just words I like"
    assert client.post("/portal/send/", {"text": text}).status_code == 302
    assert Message.objects.filter(case=case).count() == 1


def test_it_asks_for_a_message_or_a_file(requester):
    codename, case = requester
    client = signed_in_client(codename)
    for data in ({"text": ""}, {"text": "   \n  "}, {}):
        response = client.post("/portal/send/", data)
        assert response.status_code == 400
        assert "Write a message or choose a file." in response.content.decode()
    assert not Message.objects.filter(case=case).exists()


def test_it_refuses_an_overlong_message_and_keeps_it(requester):
    codename, case = requester
    client = signed_in_client(codename)
    text = "ж" * 10_001
    response = client.post("/portal/send/", {"text": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert "This is 10001 characters long; the limit is 10000." in page
    assert text in page and 'maxlength="10000"' not in page
    assert not Message.objects.filter(case=case).exists()


def test_it_refuses_sending_when_signed_out(requester):
    _codename, case = requester
    response = english_client().post("/portal/send/", {"text": "hello"})
    assert response.url == "/portal/login/"
    assert not Message.objects.filter(case=case).exists()


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_it_checks_csrf_on_send(requester):
    codename, case = requester
    client = english_client(enforce_csrf_checks=True)
    token = csrf_token(client.get("/portal/login/").content.decode())
    client.post("/portal/login/", {"codename": codename, "csrfmiddlewaretoken": token})
    token = csrf_token(client.get("/portal/").content.decode())
    refused = client.post("/portal/send/", {"text": "no token"})
    assert refused.status_code == 403
    assert "The form expired" in refused.content.decode()
    assert not Message.objects.filter(case=case).exists()
    response = client.post("/portal/send/", {"text": "with token", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Message.objects.filter(case=case).count() == 1


def test_it_shows_replies_and_hides_internal_notes(requester):
    codename, case = requester
    reply(case, "We can help. Reply-marker-88.")
    timeline.append(
        case,
        Kind.NOTE,
        vault.seal_to_many(b"internal note-marker-99", [case.public_key]),
    )
    timeline.append(
        case,
        Kind.EVENT,
        vault.seal_to_many(b"event-marker-66", [case.public_key]),
    )
    page = signed_in_client(codename).get("/portal/").content.decode()
    assert "We can help. Reply-marker-88." in page
    assert "Helpline" in page
    assert "note-marker-99" not in page
    assert "event-marker-66" not in page
    assert "This message cannot be shown." not in page


def test_it_shows_the_conversation_in_order(requester):
    codename, case = requester
    client = signed_in_client(codename)
    client.post("/portal/send/", {"text": "first-from-me"})
    with clock.moved(timedelta(minutes=5)):
        reply(case, "second-from-helpline")
    with clock.moved(timedelta(minutes=10)):
        client.post("/portal/send/", {"text": "third-from-me"})
    page = client.get("/portal/").content.decode()
    positions = [page.index(t) for t in ("first-from-me", "second-from-helpline", "third-from-me")]
    assert positions == sorted(positions)


def test_it_does_not_show_another_requesters_conversation(requester, org):
    codename, _case = requester
    other_codename, other_case = new_requester("en")
    reply(other_case, "for-the-other-one")
    signed_in_client(other_codename).post("/portal/send/", {"text": "other-ones-message"})
    page = signed_in_client(codename).get("/portal/").content.decode()
    assert "for-the-other-one" not in page
    assert "other-ones-message" not in page


def test_it_says_so_when_a_reply_cannot_be_opened(requester):
    codename, case = requester
    timeline.append(
        case,
        Kind.REPLY,
        vault.seal_to_many(b"sealed to the case only", [case.public_key]),
    )
    page = signed_in_client(codename).get("/portal/").content.decode()
    assert "This message cannot be shown." in page
    assert "sealed to the case only" not in page


def test_it_keeps_the_message_when_storing_fails(requester, monkeypatch):
    from django.db import OperationalError

    codename, case = requester

    def broken(*args, **kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(actions, "send_message", broken)
    client = signed_in_client(codename)
    response = client.post("/portal/send/", {"text": "please keep this text"})
    page = response.content.decode()
    assert response.status_code == 503
    assert "We could not save your message just now" in page
    assert "please keep this text</textarea>" in page


# --- delete everything ------------------------------------------------------


def test_it_asks_before_deleting(requester):
    codename, case = requester
    client = signed_in_client(codename)
    page = client.get("/portal/delete/").content.decode()
    assert "Delete everything about me" in page
    assert "This cannot be undone" in page
    response = client.post("/portal/delete/", {"confirm": ""})
    assert "Tick the box to confirm." in response.content.decode()
    assert Requester.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_it_deletes_everything(requester, coordinator):
    codename, case = requester
    client = signed_in_client(codename)
    client.post("/portal/send/", {"text": "a message to shred"})
    reply(case, "a reply to shred")
    case_keys = open_keyring(case.keyring, coordinator.staff, coordinator.keys())
    assert open_intake(case, case_keys)["answers"]["situation"] == "summons"
    grant_staff(case.keyring, case_keys, coordinator.staff)  # as after assignment
    assert Envelope.objects.filter(keyring=case.keyring).count() == 3

    response = client.post("/portal/delete/", {"confirm": "on"})
    assert response.status_code == 200
    assert "Everything is deleted" in response.content.decode()

    case.refresh_from_db()
    assert case.status == Status.DELETED
    assert bytes(case.sealed_intake) == b""
    assert case.priority == 0
    assert not case.flag_report_soon
    assert case.region_group == "unknown"
    assert not Requester.objects.filter(case=case).exists()
    assert not Message.objects.filter(case=case).exists()
    assert not case.attachments.exists()
    assert not Envelope.objects.filter(keyring=case.keyring).exists()
    assert Keyring.objects.get(pk=case.keyring_id).shredded_at is not None
    with pytest.raises(NoAccess):
        open_keyring(case.keyring, coordinator.staff, coordinator.keys())
    entry = Entry.objects.get(action=Action.REQUESTER_DELETED)
    assert entry.case_id == case.pk
    assert entry.actor_id is None

    # The session ended and the codename opens nothing any more.
    assert client.get("/portal/").url == "/portal/login/"
    page = english_client().post("/portal/login/", {"codename": codename}).content.decode()
    assert NOT_FOUND in page
    assert actions.find_requester(codename) is None


def test_it_deletes_only_the_requesters_own_case(requester, org):
    codename, case = requester
    other_codename, other_case = new_requester("en")
    signed_in_client(codename).post("/portal/delete/", {"confirm": "on"})
    other_case.refresh_from_db()
    assert other_case.status == Status.NEW
    assert Envelope.objects.filter(keyring=other_case.keyring).count() == 2
    assert signed_in_client(other_codename).get("/portal/").status_code == 200


def test_it_deletes_nothing_for_a_stranger(requester):
    _codename, case = requester
    response = english_client().post("/portal/delete/", {"confirm": "on"})
    assert response.url == "/portal/login/"
    assert Requester.objects.filter(case=case).exists()
