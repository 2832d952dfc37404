"""The duress password: signing in with it opens an empty decoy that looks
like any fresh account, and silently does everything "in danger" does."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from tropa import vault
from tropa.accounts import duress
from tropa.accounts.models import Role, Staff
from tropa.audit.models import Action, Entry
from tropa.cases.access import visible_cases
from tropa.conftest import english_client
from tropa.keyring.models import Envelope, RecipientKind
from tropa.notify.models import NotificationKind, Outbox
from tropa.testing.factories import case_url, new_case

pytestmark = pytest.mark.django_db

DURESS = "quiet river under old bridges"


def post_login(client: Client, username: str, password: str, code: str = ""):
    return client.post("/staff/login/", {"username": username, "password": password, "code": code})


def with_duress(person, password: str = DURESS) -> None:
    duress.set_duress_password(person.staff, password)


def test_a_staff_member_sets_a_duress_password_after_their_own(consultant, signed_in):
    client = signed_in(consultant)
    assert "Duress password" in client.get("/staff/account/").content.decode()
    wrong = client.post(
        "/staff/account/duress/", {"current": "not mine at all", "new": DURESS, "repeat": DURESS}
    )
    assert "That is not your current password." in wrong.content.decode()
    response = client.post(
        "/staff/account/duress/",
        {"current": consultant.password, "new": DURESS, "repeat": DURESS},
    )
    assert response.status_code == 302
    staff = Staff.objects.get(pk=consultant.staff.pk)
    assert staff.duress_password and DURESS not in staff.duress_password
    assert duress.matches(staff, DURESS) and not duress.matches(staff, consultant.password)
    assert Entry.objects.filter(action=Action.DURESS_PASSWORD_SET, target_staff=staff).count() == 1
    page = client.get("/staff/account/duress/").content.decode()
    assert "A duress password is set." in page and DURESS not in page


@pytest.mark.parametrize(
    ("new", "repeat", "error"),
    [
        ("", "", "Type the duress password."),
        (DURESS, DURESS + "x", "The two passwords differ."),
        ("short", "short", "too short"),
        (None, None, "must differ from your own password"),
    ],
)
def test_a_bad_duress_password_is_refused_and_the_form_kept(
    consultant, signed_in, new, repeat, error
):
    new = consultant.password if new is None else new
    repeat = consultant.password if repeat is None else repeat
    response = signed_in(consultant).post(
        "/staff/account/duress/", {"current": consultant.password, "new": new, "repeat": repeat}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Staff.objects.get(pk=consultant.staff.pk).duress_password == ""


def test_it_can_be_removed_and_the_own_password_cannot_become_it(consultant, signed_in):
    with_duress(consultant)
    client = signed_in(consultant)
    change = client.post(
        "/staff/password/", {"current": consultant.password, "new": DURESS, "repeat": DURESS}
    )
    assert "That is your duress password" in change.content.decode()
    removed = client.post("/staff/account/duress/", {"current": consultant.password, "remove": "1"})
    assert removed.status_code == 302
    assert Staff.objects.get(pk=consultant.staff.pk).duress_password == ""


def test_the_duress_password_closes_the_real_account_and_opens_an_empty_decoy(
    coordinator, consultant
):
    _c, case = new_case(coordinator, consultant)
    with_duress(consultant)
    phone = english_client()
    response = post_login(phone, consultant.username, DURESS, consultant.code())
    assert response.status_code == 302 and response.url == "/staff/"

    real = Staff.objects.get(pk=consultant.staff.pk)
    assert not real.is_active and real.in_danger_at is not None
    assert real.username.startswith("ivan~") and real.duress_password == ""
    assert not Envelope.objects.filter(recipient_kind=RecipientKind.STAFF, staff=real).exists()
    decoy = Staff.objects.get(username="ivan")
    assert decoy.decoy_of == real and decoy.role == Role.CONSULTANT and decoy.team is None
    assert not visible_cases(decoy).exists()
    assert phone.get(case_url(case)).status_code == 404
    # the team is warned; the decoy is never sent anything
    warned = Outbox.objects.filter(kind=NotificationKind.COLLEAGUE_IN_DANGER)
    assert list(warned.values_list("staff_id", flat=True)) == [coordinator.staff.pk]
    assert not Outbox.objects.filter(staff=decoy).exists()
    assert Entry.objects.filter(action=Action.DURESS_SIGN_IN, target_staff=real).count() == 1
    assert Entry.objects.filter(action=Action.STAFF_IN_DANGER, target_staff=real).count() == 1
    # his real password opens nothing now; the duress one opens the decoy again, quietly
    assert (
        post_login(english_client(), "ivan", consultant.password, consultant.code()).status_code
        == 200
    )
    again = post_login(english_client(), "ivan", DURESS, consultant.code())
    assert again.status_code == 302
    assert Staff.objects.filter(decoy_of=real).count() == 1
    # and the real key pair, still unwrapped by the real password, holds no copy
    keys = vault.unwrap_staff_key(real.wrapped_key(), consultant.password)
    assert keys.public_key == bytes(real.public_key)


def test_the_duress_password_needs_the_second_factor_like_any_sign_in(coordinator, consultant):
    new_case(coordinator, consultant)
    with_duress(consultant)
    response = post_login(english_client(), consultant.username, DURESS, "000000")
    assert response.status_code == 200
    real = Staff.objects.get(pk=consultant.staff.pk)
    assert real.is_active and real.username == "ivan" and real.in_danger_at is None
    assert not Staff.objects.filter(decoy_of=real).exists()


def test_a_wrong_password_with_a_duress_password_set_is_an_ordinary_failure(consultant):
    with_duress(consultant)
    response = post_login(english_client(), "ivan", "neither of the two", consultant.code())
    assert "Wrong username, password or code." in response.content.decode()
    assert Staff.objects.get(pk=consultant.staff.pk).is_active


def _normalised(response, username: str) -> tuple[int, dict[str, str], str]:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() != "set-cookie"}
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, headers, body.replace(username, "USER")


def _cookies(client: Client) -> dict[str, tuple]:
    keys = ("path", "max-age", "expires", "secure", "httponly", "samesite")
    return {
        name: tuple(bool(morsel[k]) if k == "expires" else morsel[k] for k in keys)
        for name, morsel in client.cookies.items()
    }


def test_the_decoy_looks_like_a_fresh_account_in_content_and_cookies(
    coordinator, consultant, make_person
):
    new_case(coordinator, consultant)
    fresh = make_person("ivax", Role.CONSULTANT)
    Staff.objects.filter(pk=fresh.staff.pk).update(team=None)
    with_duress(consultant)

    fresh_client, decoy_client = english_client(), english_client()
    fresh_login = post_login(fresh_client, "ivax", fresh.password, fresh.code())
    decoy_login = post_login(decoy_client, "ivan", DURESS, consultant.code())
    assert _normalised(fresh_login, "ivax") == _normalised(decoy_login, "ivan")
    assert _cookies(fresh_client) == _cookies(decoy_client)
    for page in ("/staff/", "/staff/cases/", "/staff/journeys/", "/staff/account/"):
        seen_fresh = _normalised(fresh_client.get(page), "ivax")
        seen_decoy = _normalised(decoy_client.get(page), "ivan")
        assert seen_fresh == seen_decoy, page


def test_a_duress_sign_in_does_the_same_expensive_work_as_a_real_one(
    coordinator, consultant, monkeypatch
):
    """Two password checks and one key derivation either way, so the time is
    the same within the normal spread (bench/duress.py measures it)."""
    new_case(coordinator, consultant)
    with_duress(consultant)
    calls: list[str] = []
    encode, derive = MD5PasswordHasher.encode, vault.staff._derive
    # every hash computed, checked or made, goes through encode
    monkeypatch.setattr(
        MD5PasswordHasher, "encode", lambda self, *a: calls.append("hash") or encode(self, *a)
    )
    monkeypatch.setattr(vault.staff, "_derive", lambda *a: calls.append("kdf") or derive(*a))

    assert (
        post_login(english_client(), "ivan", consultant.password, consultant.code()).status_code
        == 302
    )
    real_work, calls[:] = sorted(calls), []
    assert post_login(english_client(), "ivan", DURESS, consultant.code()).status_code == 302
    assert sorted(calls) == real_work == ["hash", "hash", "kdf"]


def test_an_unknown_name_spends_the_same_two_hashes(org, monkeypatch):
    calls: list[str] = []
    encode = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher, "encode", lambda self, *a: calls.append("hash") or encode(self, *a)
    )
    assert post_login(english_client(), "nobody", "whatever it is", "123456").status_code == 200
    assert calls == ["hash", "hash"]


def test_staff_admins_see_the_decoy_for_what_it_is(admin, coordinator, consultant, signed_in):
    new_case(coordinator, consultant)
    with_duress(consultant)
    post_login(english_client(), "ivan", DURESS, consultant.code())
    decoy = Staff.objects.get(username="ivan")
    page = signed_in(admin).get(f"/staff/people/{decoy.pk}/").content.decode()
    assert "A decoy: this account opened when ivan~" in page
    real_page = signed_in(admin).get(f"/staff/people/{decoy.decoy_of_id}/").content.decode()
    assert "Their duress password was used: the decoy ivan opened" in real_page


def test_a_decoy_is_never_offered_when_a_case_is_assigned(coordinator, consultant):
    from tropa.cases import queries

    _c, case = new_case(coordinator)
    with_duress(consultant)
    post_login(english_client(), "ivan", DURESS, consultant.code())
    decoy = Staff.objects.get(username="ivan")
    assert decoy not in queries.candidates(case, [])
