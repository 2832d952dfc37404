"""Admins create, disable and reset staff; keys follow the account."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session

from tropa import vault
from tropa.accounts import actions
from tropa.accounts.keys import needs_intake_grant
from tropa.accounts.models import Role, Staff
from tropa.audit.models import Action, Entry
from tropa.conftest import english_client
from tropa.keyring import actions as keyring
from tropa.testing.factories import create_case_keyring

pytestmark = pytest.mark.django_db


def temporary_password(page: str) -> str:
    match = re.search(r'<code class="secret">([a-z0-9-]+)</code>', page)
    assert match, page
    return match.group(1)


def test_it_creates_a_staff_member_with_a_temporary_password(admin, signed_in):
    client = signed_in(admin)
    response = client.post(
        "/staff/people/new/", {"username": "Lena", "role": "consultant", "language": "en"}
    )
    lena = Staff.objects.get(username="lena")
    # Shown in the very response that created it, and nowhere else.
    assert response.status_code == 200
    password = temporary_password(response.content.decode())
    assert lena.check_password(password)
    assert lena.must_change_password
    assert password not in client.get(f"/staff/people/{lena.pk}/").content.decode()
    assert not any(password in s.session_data for s in Session.objects.all())
    assert not any(password in str(s.get_decoded()) for s in Session.objects.all())
    # No key pair is wrapped under a password someone else saw: it comes with
    # the person's own first password.
    assert not lena.has_keys
    keys = actions.choose_first_password(lena, "a long password of her own 7")
    assert vault.unwrap_staff_key(lena.wrapped_key(), "a long password of her own 7") == keys
    with pytest.raises(vault.WrongPassword):
        vault.unwrap_staff_key(lena.wrapped_key(), password)
    assert Entry.objects.filter(action=Action.STAFF_CREATED, target_staff=lena).exists()


def test_it_keeps_what_was_typed_when_the_username_is_bad(admin, signed_in):
    client = signed_in(admin)
    response = client.post(
        "/staff/people/new/", {"username": "bad name!", "role": "consultant", "language": "ru"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="bad name!"' in page
    assert "Latin letters" in page
    assert not Staff.objects.filter(username="bad name!").exists()


def test_it_refuses_a_taken_username(admin, consultant, signed_in):
    client = signed_in(admin)
    response = client.post(
        "/staff/people/new/",
        {"username": consultant.username, "role": "analyst", "language": "ru"},
    )
    assert "That username is taken." in response.content.decode()


def test_it_refuses_an_unknown_role(admin, signed_in):
    response = signed_in(admin).post(
        "/staff/people/new/", {"username": "zed", "role": "emperor", "language": "ru"}
    )
    assert response.status_code == 200
    assert not Staff.objects.filter(username="zed").exists()


def test_it_makes_a_new_member_change_the_password_first(admin, make_person):
    person = make_person("newbie", Role.CONSULTANT)
    person.staff.must_change_password = True
    person.staff.save()
    client = english_client()
    client.post(
        "/staff/login/",
        {"username": "newbie", "password": person.password, "code": person.code()},
    )
    assert client.get("/staff/").url == "/staff/password/"
    response = client.post(
        "/staff/password/",
        {
            "current": person.password,
            "new": "a new long passphrase",
            "repeat": "a new long passphrase",
        },
    )
    assert response.url == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_it_rewraps_the_key_when_the_password_changes(consultant, signed_in):
    client = signed_in(consultant)
    before = consultant.keys()
    response = client.post(
        "/staff/password/",
        {
            "current": consultant.password,
            "new": "another long passphrase",
            "repeat": "another long passphrase",
        },
    )
    assert response.status_code == 302
    consultant.staff.refresh_from_db()
    with pytest.raises(vault.WrongPassword):
        vault.unwrap_staff_key(consultant.staff.wrapped_key(), consultant.password)
    after = vault.unwrap_staff_key(consultant.staff.wrapped_key(), "another long passphrase")
    assert after == before
    # The session stays usable.
    assert client.get("/staff/").status_code == 200


def test_it_refuses_a_password_change_with_the_wrong_current_password(consultant, signed_in):
    response = signed_in(consultant).post(
        "/staff/password/",
        {
            "current": "not my password",
            "new": "another long passphrase",
            "repeat": "another long passphrase",
        },
    )
    assert "That is not your current password." in response.content.decode()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("12345678901234", "entirely numeric"),
    ],
)
def test_it_refuses_weak_passwords(consultant, signed_in, new, message):
    response = signed_in(consultant).post(
        "/staff/password/", {"current": consultant.password, "new": new, "repeat": new}
    )
    assert message in response.content.decode()


def test_it_disables_an_account_and_ends_its_sessions(admin, consultant, signed_in):
    victim = signed_in(consultant)
    client = signed_in(admin)
    client.post(f"/staff/people/{consultant.staff.pk}/disable/")
    consultant.staff.refresh_from_db()
    assert not consultant.staff.is_active
    assert victim.get("/staff/").status_code == 302
    assert Entry.objects.filter(action=Action.STAFF_DISABLED).exists()


def test_it_stops_an_admin_disabling_themselves(admin, signed_in):
    client = signed_in(admin)
    client.post(f"/staff/people/{admin.staff.pk}/disable/")
    admin.staff.refresh_from_db()
    assert admin.staff.is_active


def test_it_resets_two_factor_so_the_person_enrols_again(admin, consultant, signed_in):
    signed_in(admin).post(f"/staff/people/{consultant.staff.pk}/reset-2fa/")
    client = english_client()
    response = client.post(
        "/staff/login/", {"username": consultant.username, "password": consultant.password}
    )
    assert response.url == "/staff/two-factor/"


def test_it_unlocks_a_locked_account(admin, consultant, signed_in, settings):
    from tropa.accounts.signin import is_locked

    for _ in range(settings.TROPA_LOGIN_FAILURES_BEFORE_LOCK):
        english_client().post(
            "/staff/login/", {"username": consultant.username, "password": "nope nope"}
        )
    assert is_locked(consultant.username)
    signed_in(admin).post(f"/staff/people/{consultant.staff.pk}/unlock/")
    assert not is_locked(consultant.username)


def case_shared_with(person, by_recovery):
    ring, keys = create_case_keyring()
    keyring.grant_staff(ring, keys, person.staff)
    return ring, keys


def test_an_admin_reset_gives_new_keys_and_stales_old_grants(admin, consultant, signed_in, org):
    ring, case_keys = case_shared_with(consultant, org)
    victim_session = signed_in(consultant)
    client = signed_in(admin)
    response = client.post(f"/staff/people/{consultant.staff.pk}/reset-password/")
    password = temporary_password(response.content.decode())
    consultant.staff.refresh_from_db()
    assert consultant.staff.check_password(password)
    assert not consultant.staff.has_keys  # nothing wrapped under the temporary password
    new_keys = actions.choose_first_password(consultant.staff, "her own new password 42")
    assert new_keys.public_key != case_keys.public_key
    # Old sessions end; the case no longer opens with the new key.
    assert victim_session.get("/staff/").status_code == 302
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(ring, consultant.staff, new_keys)
    assert len(list(keyring.stale_envelopes(consultant.staff))) == 1
    assert Entry.objects.filter(action=Action.PASSWORD_RESET).exists()


def test_someone_who_can_open_a_case_regrants_it_after_a_reset(
    admin, consultant, coordinator, signed_in, org
):
    ring, case_keys = case_shared_with(consultant, org)
    keyring.grant_staff(ring, case_keys, coordinator.staff)
    actions.reset_password(consultant.staff, admin.staff)
    new_keys = actions.choose_first_password(consultant.staff, "her own new password 42")
    # The admin cannot re-grant what they cannot open.
    response = signed_in(admin).post(f"/staff/people/{consultant.staff.pk}/regrant/")
    assert response.status_code == 302
    assert len(list(keyring.stale_envelopes(consultant.staff))) == 1
    # The coordinator who holds the case can.
    signed_in(coordinator).post(f"/staff/people/{consultant.staff.pk}/regrant/")
    consultant.staff.refresh_from_db()
    assert keyring.open_keyring(ring, consultant.staff, new_keys) == case_keys
    assert not list(keyring.stale_envelopes(consultant.staff))
    assert Entry.objects.filter(action=Action.ACCESS_REGRANTED).exists()


def test_the_recovery_key_restores_access_after_a_reset(admin, consultant, org):
    ring, case_keys = case_shared_with(consultant, org)
    actions.reset_password(consultant.staff, admin.staff)
    with pytest.raises(keyring.NoKeyYet):  # nothing to seal to before their own password
        actions.restore_access(consultant.staff, org)
    new_keys = actions.choose_first_password(consultant.staff, "her own new password 42")
    assert actions.restore_access(consultant.staff, org) == 1
    consultant.staff.refresh_from_db()
    assert keyring.open_keyring(ring, consultant.staff, new_keys) == case_keys


def test_a_wrong_recovery_key_restores_nothing(admin, consultant, org):
    case_shared_with(consultant, org)
    actions.reset_password(consultant.staff, admin.staff)
    actions.choose_first_password(consultant.staff, "her own new password 42")
    with pytest.raises(vault.CannotOpen):
        actions.restore_access(consultant.staff, vault.generate_keypair())
    assert len(list(keyring.stale_envelopes(consultant.staff))) == 1


def test_a_coordinator_shares_the_intake_key_with_a_new_coordinator(
    admin, coordinator, signed_in, org
):
    client = signed_in(admin)
    client.post("/staff/people/new/", {"username": "nina", "role": "coordinator", "language": "ru"})
    nina = Staff.objects.get(username="nina")
    actions.choose_first_password(nina, "nina's own password 2026")
    assert needs_intake_grant(nina)
    signed_in(coordinator).post(f"/staff/people/{nina.pk}/regrant/")
    assert not needs_intake_grant(nina)


def test_the_people_list_does_not_grow_queries_with_staff(
    admin, make_person, signed_in, django_assert_max_num_queries
):
    client = signed_in(admin)
    for i in range(5):
        make_person(f"extra{i}", Role.CONSULTANT)
    with django_assert_max_num_queries(8):
        assert client.get("/staff/people/").status_code == 200
    assert Session.objects.exists()


def test_an_admin_creates_teams_and_moves_people(admin, consultant, signed_in):
    from tropa.accounts.models import Team

    client = signed_in(admin)
    assert client.post("/staff/teams/", {"name": "South"}).status_code == 302
    again = client.post("/staff/teams/", {"name": "south"})
    assert "There is a team with that name." in again.content.decode()
    south = Team.objects.get(name="South")
    client.post(f"/staff/people/{consultant.staff.pk}/team/", {"team": south.pk})
    consultant.staff.refresh_from_db()
    assert consultant.staff.team == south


def test_only_admins_manage_teams(coordinator, signed_in):
    client = signed_in(coordinator)
    assert client.get("/staff/teams/").status_code == 404
    assert (
        client.post(f"/staff/people/{coordinator.staff.pk}/team/", {"team": 1}).status_code == 404
    )
