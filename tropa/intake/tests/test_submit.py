"""Submitting a request: the form, the codename shown once, what is stored.

The helpers at the top are shared by the other intake test modules.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import OperationalError

from tropa import vault
from tropa.cases.models import Case, Situation, Status
from tropa.conftest import english_client, russian_client
from tropa.core import clock
from tropa.intake import actions, codenames, portal
from tropa.intake.models import Requester
from tropa.keyring.actions import NoAccess, open_keyring
from tropa.keyring.models import Envelope, OrgKeys, RecipientKind
from tropa.testing.factories import (
    answers,
    assert_nowhere,
    case_of,
    keep,
    open_intake,
    submit,
    words_on,
)

# --- the form ---------------------------------------------------------------


def test_it_shows_the_form_in_russian_by_default(db):
    response = russian_client().get("/request/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru"' in page
    assert "Что с вами происходит?" in page
    assert "Мне пришла повестка" in page
    assert "Татарстан" in page
    assert response["Cache-Control"].startswith("no-store")


def test_it_shows_the_form_in_english_with_the_cookie(db):
    response = english_client().get("/request/")
    page = response.content.decode()
    assert '<html lang="en"' in page
    assert "What is happening to you?" in page
    assert "I received a summons" in page
    assert "Что с вами происходит?" not in page


def test_it_asks_for_no_name_and_says_so(db):
    page = english_client().get("/request/").content.decode()
    assert "Not needed. Leave it empty" in page
    assert re.search(r'<input[^>]*name="name"(?![^>]*required)[^>]*>', page)


def test_it_requires_only_the_situation(org):
    client = english_client()
    response = client.post("/request/", {"situation": "abroad"})
    assert response.status_code == 302
    missing = client.post("/request/", {"story": "help"})
    assert missing.status_code == 400
    assert "This field is required." in missing.content.decode()


# --- the codename page ------------------------------------------------------


@pytest.mark.parametrize(
    ("make_client", "language", "lang_attr"),
    [(russian_client, "ru", "ru"), (english_client, "en", "en")],
)
def test_it_shows_seven_words_from_the_page_language(org, make_client, language, lang_attr):
    client = make_client()
    response = client.post("/request/", answers())
    assert response.status_code == 302
    page = client.get("/request/codename/")
    html = page.content.decode()
    assert f'<html lang="{lang_attr}"' in html
    assert page["Cache-Control"].startswith("no-store")
    words = words_on(html)
    assert len(words) == codenames.WORDS_PER_CODENAME
    assert set(words) <= set(codenames.load_words(language))
    # And it opens the request it was given for.
    assert actions.find_requester(" ".join(words)) is not None


def test_it_never_puts_the_codename_in_a_url_or_cookie_in_plaintext(org):
    client = english_client()
    response = client.post("/request/", answers())
    codename = " ".join(words_on(client.get("/request/codename/").content.decode()))
    assert response.url == "/request/codename/"
    for morsel in client.cookies.values():
        assert codename.replace(" ", "") not in morsel.value
        for word in codename.split():
            assert len(word) < 6 or word not in morsel.value


def test_it_shows_the_same_codename_on_the_printable_page(org):
    client = english_client()
    codename = submit(client)
    printable = client.get("/request/codename/?print=1").content.decode()
    assert " ".join(words_on(printable)) == codename
    assert "Print command, then go back" in printable


def test_it_shows_the_codename_once_and_then_signs_in(org):
    client = english_client()
    codename = submit(client)
    keep(client)
    gone = client.get("/request/codename/")
    assert gone.status_code == 410
    page = gone.content.decode()
    assert "The codename is shown only once" in page
    for word in codename.split():
        assert f"<span>{word}</span>" not in page
    portal = client.get("/portal/")
    assert portal.status_code == 200
    # Their own story opens the conversation, said once
    page = portal.content.decode()
    assert "You, in your request" in page and "история-маркер-Ж9" in page
    assert page.count("Your request is with us") <= 1


def test_it_asks_again_when_kept_is_not_ticked(org):
    client = english_client()
    codename = submit(client)
    response = client.post("/request/codename/", {"kept": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please write the codename down first" in page
    assert " ".join(words_on(page)) == codename
    keep(client)


def test_it_shows_the_gone_page_to_a_browser_that_never_submitted(db):
    response = english_client().get("/request/codename/")
    assert response.status_code == 410
    assert "Sign in with your codename" in response.content.decode()


def test_it_forgets_the_codename_page_after_a_while(org):
    client = english_client()
    client.post("/request/", answers())
    with clock.moved(timedelta(seconds=portal.NEW_CODENAME_SECONDS + 60)):
        response = client.get("/request/codename/")
    assert response.status_code == 410
    assert "<span>" not in response.content.decode().split("<main>")[1]


def test_it_refuses_a_tampered_codename_cookie(org):
    client = english_client()
    client.post("/request/", answers())
    name = "tropa_" + portal.NEW_CODENAME
    token = client.cookies[name].value
    client.cookies[name] = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert client.get("/request/codename/").status_code == 410


# --- what is stored -----------------------------------------------------------


def test_it_stores_answers_only_sealed(org):
    client = english_client()
    codename = submit(
        client,
        story="Моя история: маркер-ИСТОРИЯ-51 and STORY-MARKER-51",
        name="Маркеров Имя-52",
        contact_handle="@handle_marker_53",
        languages="язык-маркер-54",
    )
    keep(client)
    case = case_of(codename)
    assert case.situation == Situation.SUMMONS
    assert case.status == Status.NEW
    assert case.region_group == "volga"
    assert_nowhere(
        "маркер-ИСТОРИЯ-51",
        "STORY-MARKER-51",
        "Маркеров Имя-52",
        "handle_marker_53",
        "язык-маркер-54",
        codename,
        codename.replace(" ", ""),
    )


def test_it_keeps_the_received_time_to_the_hour(org):
    codename = submit(english_client())
    received = case_of(codename).received_at
    assert (received.minute, received.second, received.microsecond) == (0, 0, 0)
    assert clock.now() - received < timedelta(hours=1, minutes=1)


def test_it_seals_the_case_key_to_intake_and_recovery_only(org):
    codename = submit(english_client())
    case = case_of(codename)
    envelopes = Envelope.objects.filter(keyring=case.keyring)
    assert sorted(envelopes.values_list("recipient_kind", flat=True)) == [
        RecipientKind.INTAKE,
        RecipientKind.RECOVERY,
    ]
    assert not envelopes.filter(staff__isnull=False).exists()
    intake = envelopes.get(recipient_kind=RecipientKind.INTAKE)
    assert bytes(intake.recipient_public_key) == bytes(OrgKeys.load().intake.public_key)
    # The recovery key (shown once at init) opens the case key, which opens the answers.
    recovery = envelopes.get(recipient_kind=RecipientKind.RECOVERY)
    case_keys = vault.open_sealed_secret_key(
        org, bytes(recovery.sealed_secret), bytes(case.keyring.public_key)
    )
    assert open_intake(case, case_keys)["answers"]["situation"] == "summons"


def test_it_lets_a_coordinator_read_the_answers(org, coordinator):
    codename = submit(english_client(), story="I need help, coordinator-visible")
    case = case_of(codename)
    case_keys = open_keyring(case.keyring, coordinator.staff, coordinator.keys())
    stored = open_intake(case, case_keys)
    assert stored["language"] == "en"
    got = stored["answers"]
    assert got["story"] == "I need help, coordinator-visible"
    assert got["documents"] == ["internal_passport", "military_id"]
    assert got["report_by"] == (clock.now().date() + timedelta(days=10)).isoformat()
    assert got["contact_handle"] == "@signal_marker_q7"


def test_it_lets_the_requester_read_their_own_answers(org):
    codename = submit(english_client(), story="mine to read")
    case = case_of(codename)
    stored = open_intake(case, actions.identity(codename).keys)
    assert stored["answers"]["story"] == "mine to read"
    other = actions.identity(codenames.generate_codename("en")).keys
    with pytest.raises(vault.CannotOpen):
        open_intake(case, other)


def test_it_refuses_an_outsider(org, outsider):
    case = case_of(submit(english_client()))
    with pytest.raises(NoAccess):
        open_keyring(case.keyring, outsider.staff, outsider.keys())


def test_it_stores_one_requester_with_keys_derived_from_the_codename(org):
    codename = submit(english_client())
    requester = Requester.objects.get()
    who = actions.identity(codename)
    assert bytes(requester.lookup_id) == who.lookup_id
    assert bytes(requester.public_key) == who.keys.public_key
    # Typed differently, the same codename gives the same identity.
    assert actions.identity(codename.upper().replace(" ", "-")) == who


def test_it_gives_every_request_its_own_codename_and_case(org):
    first = submit(english_client())
    second = submit(english_client())
    assert first != second
    assert case_of(first).pk != case_of(second).pk
    assert Case.objects.count() == 2


# --- nothing lost -------------------------------------------------------------


def test_it_keeps_every_answer_when_storing_fails(org, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(actions, "submit_request", broken)
    client = english_client()
    typed = answers(
        situation="awol",
        region="sverdlovsk",
        documents=["foreign_passport", "military_id"],
        health="yes",
        russian="basic",
        deceived="yes",
        asking="relative",
        contact_method="telegram",
        contact_handle="@kept_handle",
        name="Kept Name",
        languages="kept languages <&>",
        story="Kept story, line one.\nLine two with <b>markup</b> & “quotes”.",
        report_by=(clock.now().date() + timedelta(days=5)).isoformat(),
    )
    response = client.post("/request/", typed)
    page = response.content.decode()
    assert response.status_code == 503
    assert "We could not save your request just now" in page
    assert "Everything you wrote is still here" in page

    def checked(name: str, value: str) -> bool:
        pattern = rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*\bchecked\b'
        return re.search(pattern, page) is not None

    for name in ("situation", "health", "russian", "deceived", "asking", "contact_method"):
        assert checked(name, str(typed[name])), name
    assert checked("documents", "foreign_passport")
    assert checked("documents", "military_id")
    assert not checked("documents", "internal_passport")
    assert not checked("situation", "summons")
    assert re.search(r'<option value="sverdlovsk"[^>]*selected', page)
    assert f'value="{typed["report_by"]}"' in page
    assert 'value="@kept_handle"' in page
    assert 'value="Kept Name"' in page
    assert 'value="kept languages &lt;&amp;&gt;"' in page
    assert (
        "Kept story, line one.\nLine two with &lt;b&gt;markup&lt;/b&gt; &amp; “quotes”.</textarea>"
        in page
    )
    assert Case.objects.count() == 0

    # Once storing works again, the same answers go through.
    monkeypatch.undo()
    again = client.post("/request/", typed)
    assert again.status_code == 302
    assert Case.objects.count() == 1


def test_it_holds_no_codename_when_storing_fails(org, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("disk full")

    monkeypatch.setattr(actions, "submit_request", broken)
    client = english_client()
    assert client.post("/request/", answers()).status_code == 503
    assert client.get("/request/codename/").status_code == 410


def test_it_says_so_in_russian_when_storing_fails(org, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(actions, "submit_request", broken)
    response = russian_client().post("/request/", answers(story="сохраните меня"))
    page = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="ru"' in page
    assert 'role="alert"' in page
    assert "сохраните меня</textarea>" in page


def test_it_refuses_a_copied_codename_cookie_once_the_codename_is_kept(org):
    """A copy of the browser's value taken before "kept" is useless afterwards."""
    client = english_client()
    client.post("/request/", {"situation": "summons"})
    stolen = client.cookies["tropa_new_codename"].value
    assert client.get("/request/codename/").status_code == 200
    client.post("/request/codename/", {"kept": "on"})
    thief = english_client()
    thief.cookies["tropa_new_codename"] = stolen
    assert thief.get("/request/codename/").status_code == 410
