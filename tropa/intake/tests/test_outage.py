"""While the database is unreachable, every requester form answers 503 in the
person's language, keeps what they typed, and leaves nothing half-stored."""

from __future__ import annotations

import pytest
from django.test import Client

from tropa.cases.models import Case, Message
from tropa.testing.factories import new_requester, signed_in_client
from tropa.testing.outage import database_away

pytestmark = pytest.mark.django_db(transaction=True)

STORY = "Повестка пришла вчера.\nИстория-маркер-O7, которую нельзя потерять."


def browser(language: str | None = None) -> Client:
    client = Client(raise_request_exception=False)
    if language:
        client.cookies["tropa_lang"] = language
    return client


def test_the_questionnaire_keeps_everything_typed_and_stores_nothing(org):
    client = browser()
    client.get("/request/")
    with database_away():
        response = client.post("/request/", {"situation": "summons", "story": STORY})
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert '<html lang="ru" dir="ltr">' in page  # Russian, the requester side's default
    assert "История-маркер-O7" in page  # still in the form, to send again
    assert not Case.objects.exists()


def test_the_answer_is_in_the_language_the_person_chose(org):
    client = browser("en")
    with database_away():
        response = client.post("/request/", {"situation": "summons", "story": "My story"})
    assert response.status_code == 503
    assert '<html lang="en" dir="ltr">' in response.content.decode()
    assert "My story" in response.content.decode()


def test_a_portal_message_is_kept_and_not_half_stored(org):
    codename, case = new_requester()
    client = signed_in_client(codename, browser("en"))
    before = Message.objects.filter(case=case).count()
    with database_away():
        response = client.post("/portal/send/", {"text": "A long message\nthat must survive"})
    assert response.status_code == 503
    assert "that must survive" in response.content.decode()
    assert Message.objects.filter(case=case).count() == before


def test_signing_in_answers_503_without_showing_the_codename(org):
    codename, _case = new_requester()
    client = browser("en")
    client.get("/portal/login/")
    with database_away():
        response = client.post("/portal/login/", {"codename": codename})
    page = response.content.decode()
    assert response.status_code == 503
    assert "<textarea" not in page  # kept only in the hidden resend field
    assert "Send again" in page


def test_a_check_in_answers_503_and_records_nothing(org):
    from tropa.journeys.models import CheckIn

    codename, _case = new_requester()
    client = signed_in_client(codename, browser("en"))
    with database_away():
        response = client.post("/portal/check-in/", {"kind": "safe", "note": "клён"})
    assert response.status_code == 503
    assert "клён" not in response.content.decode().split("<form")[0]
    assert not CheckIn.objects.exists()


def test_other_server_errors_stay_500(org, monkeypatch):
    from tropa.intake import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.actions, "submit_request", broken)
    response = browser().post("/request/", {"situation": "summons"})
    assert response.status_code == 500
