"""Signing in: password, two-factor, throttling, and where the key lives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from tropa import vault
from tropa.accounts.models import Role
from tropa.audit.models import Action, Entry
from tropa.conftest import english_client
from tropa.core import clock

pytestmark = pytest.mark.django_db

HELD = "held_key"


def post_login(client: Client, username: str, password: str, code: str = ""):
    return client.post("/staff/login/", {"username": username, "password": password, "code": code})


def test_it_signs_in_with_password_and_code(consultant):
    client = english_client()
    response = post_login(client, consultant.username, consultant.password, consultant.code())
    assert response.status_code == 302
    assert response.url == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert Entry.objects.filter(action=Action.LOGIN, actor=consultant.staff).exists()


def test_it_refuses_a_wrong_password(consultant):
    client = english_client()
    response = post_login(client, consultant.username, "wrong password here", consultant.code())
    assert response.status_code == 200
    assert "Wrong username, password or code." in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_it_keeps_the_username_but_not_the_password_after_a_failure(consultant):
    response = post_login(english_client(), consultant.username, "wrong password here", "123456")
    page = response.content.decode()
    assert f'value="{consultant.username}"' in page
    assert "wrong password here" not in page


def test_it_refuses_a_wrong_code(consultant):
    code = consultant.code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = post_login(english_client(), consultant.username, consultant.password, wrong)
    assert response.status_code == 200
    assert "Wrong username, password or code." in response.content.decode()


def test_it_refuses_a_missing_code_once_enrolled(consultant):
    response = post_login(english_client(), consultant.username, consultant.password, "")
    assert response.status_code == 200


def test_it_refuses_a_reused_code(consultant):
    code = consultant.code()
    assert (
        post_login(english_client(), consultant.username, consultant.password, code).status_code
        == 302
    )
    again = post_login(english_client(), consultant.username, consultant.password, code)
    assert again.status_code == 200
    assert "Wrong username, password or code." in again.content.decode()


def test_it_accepts_a_recovery_code_only_once(consultant):
    code = consultant.recovery_codes[0]
    assert (
        post_login(english_client(), consultant.username, consultant.password, code).status_code
        == 302
    )
    assert (
        post_login(english_client(), consultant.username, consultant.password, code).status_code
        == 200
    )
    assert Entry.objects.filter(action=Action.RECOVERY_CODE_USED).count() == 1


def test_it_refuses_unknown_usernames_with_the_same_message(org):
    response = post_login(english_client(), "nobody", "whatever password", "123456")
    assert "Wrong username, password or code." in response.content.decode()


def test_it_refuses_a_disabled_account(consultant, admin):
    from tropa.accounts.actions import set_active

    set_active(consultant.staff, False, admin.staff)
    response = post_login(
        english_client(), consultant.username, consultant.password, consultant.code()
    )
    assert response.status_code == 200


def test_it_locks_an_account_after_repeated_failures(consultant):
    for _ in range(settings.TROPA_LOGIN_FAILURES_BEFORE_LOCK):
        post_login(english_client(), consultant.username, "wrong password here", "000000")
    # Even the right password and code are refused while locked.
    response = post_login(
        english_client(), consultant.username, consultant.password, consultant.code()
    )
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    # The lock lifts by itself.
    with clock.moved(timedelta(minutes=settings.TROPA_LOGIN_LOCK_MINUTES + 1)):
        response = post_login(
            english_client(), consultant.username, consultant.password, consultant.code()
        )
    assert response.status_code == 302


def test_it_locks_unknown_usernames_too(org):
    for _ in range(settings.TROPA_LOGIN_FAILURES_BEFORE_LOCK):
        post_login(english_client(), "ghost", "wrong password here")
    response = post_login(english_client(), "ghost", "wrong password here")
    assert "Too many failed attempts" in response.content.decode()


def test_it_never_stores_addresses_or_user_agents(consultant):
    from django.db import connection

    client = english_client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="MarkerAgent/9.9")
    post_login(client, consultant.username, "wrong password here")
    post_login(client, consultant.username, consultant.password, consultant.code())
    client.get("/staff/")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (table names from introspection)
            dump = repr(cursor.fetchall())
            assert "203.0.113.77" not in dump, table
            assert "MarkerAgent" not in dump, table


def test_it_sends_a_new_staff_member_to_two_factor_setup(make_person):
    newbie = make_person("newbie", Role.CONSULTANT, enrolled=False)
    client = english_client()
    response = post_login(client, newbie.username, newbie.password)
    assert response.url == "/staff/two-factor/"
    # Nothing else is reachable before enrolment.
    assert client.get("/staff/account/").url == "/staff/two-factor/"


def test_it_enrols_two_factor_and_shows_recovery_codes_once(make_person):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    newbie = make_person("newbie", Role.CONSULTANT, enrolled=False)
    client = english_client()
    post_login(client, newbie.username, newbie.password)
    page = client.get("/staff/two-factor/").content.decode()
    assert "<svg" in page and "<script" not in page
    device = TOTPDevice.objects.get(user=newbie.staff)
    wrong = client.post("/staff/two-factor/", {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post("/staff/two-factor/", {"code": f"{token:06d}"})
    assert response.url == "/staff/recovery-codes/"
    codes_page = client.get("/staff/recovery-codes/").content.decode()
    assert codes_page.count("<li><code>") == 10
    # Shown once only.
    assert client.get("/staff/recovery-codes/").url == "/staff/account/"
    assert client.get("/staff/").status_code == 200
    assert Entry.objects.filter(action=Action.TWO_FACTOR_ENROLLED).count() == 1


def test_it_keeps_the_private_key_out_of_the_session_row(consultant, signed_in):
    client = signed_in(consultant)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie_token = client.cookies[settings.TROPA_KEY_COOKIE_NAME].value
    held = Session.objects.get(session_key=session_key).get_decoded()[HELD]
    keys = consultant.keys()
    assert keys.secret_key.hex() not in held
    # The session row alone cannot unwrap the key: any token but the cookie's fails...
    for guess in ["", "A" * 43, vault.hold_for_session(keys)[0]]:
        with pytest.raises(vault.CannotOpen):
            vault.release_from_session(guess, held)
    # ...and with the browser's cookie it can.
    assert vault.release_from_session(cookie_token, held) == keys


def test_it_marks_the_key_cookie_httponly_and_strict(consultant):
    client = english_client()
    post_login(client, consultant.username, consultant.password, consultant.code())
    cookie = client.cookies[settings.TROPA_KEY_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert not cookie["max-age"]  # a browser-session cookie


def test_it_ends_a_session_whose_key_cookie_is_gone(consultant, signed_in):
    client = signed_in(consultant)
    del client.cookies[settings.TROPA_KEY_COOKIE_NAME]
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.url.startswith("/staff/login/")
    assert Session.objects.count() == 0


def test_it_destroys_the_session_keys_at_sign_out(consultant, signed_in):
    client = signed_in(consultant)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.cookies[settings.TROPA_KEY_COOKIE_NAME].value == ""
    assert client.get("/staff/").status_code == 302


def test_it_expires_an_idle_session(consultant, signed_in):
    client = signed_in(consultant)
    Session.objects.update(expire_date=clock.now() - timedelta(seconds=1))
    assert client.get("/staff/").status_code == 302


def test_it_sets_the_idle_timeout_from_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_it_does_not_redirect_off_site_after_sign_in(consultant):
    client = english_client()
    response = client.post(
        "/staff/login/?next=https://evil.example/",
        {
            "username": consultant.username,
            "password": consultant.password,
            "code": consultant.code(),
            "next": "https://evil.example/",
        },
    )
    assert response.url == "/staff/"
