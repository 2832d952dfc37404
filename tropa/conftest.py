"""Shared fixtures: an initialised organisation and named people.

Everyone signs in through the real sign-in view, so every test that uses a
signed-in client also exercises the password, two-factor and key unwrapping.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa import vault
from tropa.accounts import actions
from tropa.accounts.models import Role, Staff
from tropa.keyring.actions import create_org_keys

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    staff: Staff
    password: str
    device: TOTPDevice | None
    recovery_codes: list[str]

    @property
    def username(self) -> str:
        return self.staff.username

    def code(self) -> str:
        """A current TOTP code that the device will accept (reuse guard reset)."""
        assert self.device is not None
        self.device.refresh_from_db()
        self.device.last_t = -1
        self.device.save(update_fields=["last_t"])
        d = self.device
        return f"{TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift).token():06d}"

    def keys(self) -> vault.KeyPair:
        self.staff.refresh_from_db()
        return vault.unwrap_staff_key(self.staff.wrapped_key(), self.password)


@pytest.fixture
def org(db) -> vault.KeyPair:
    """An initialised organisation; returns its recovery key pair."""
    recovery, _intake = create_org_keys()
    return recovery


@pytest.fixture
def make_person(org):
    def make(username: str, role: Role, *, enrolled: bool = True) -> Person:
        staff = actions.create_staff(
            username=username,
            password=PASSWORD,
            role=role,
            actor=None,
            must_change_password=False,
        )
        device, codes = None, []
        if enrolled:
            device = TOTPDevice.objects.create(user=staff, name="app", confirmed=False)
            codes = actions.enrol_two_factor(staff, device)
            device.refresh_from_db()
        if role == Role.COORDINATOR:
            actions.restore_access(staff, org)
        return Person(staff, PASSWORD, device, codes)

    return make


@pytest.fixture
def admin(make_person) -> Person:
    return make_person("anna", Role.ADMIN)


@pytest.fixture
def coordinator(make_person) -> Person:
    return make_person("olga", Role.COORDINATOR)


@pytest.fixture
def consultant(make_person) -> Person:
    return make_person("ivan", Role.CONSULTANT)


@pytest.fixture
def analyst(make_person) -> Person:
    return make_person("pavel", Role.ANALYST)


@pytest.fixture
def outsider(make_person) -> Person:
    """A consultant who has been granted nothing and must be denied everything."""
    return make_person("mallory", Role.CONSULTANT)


def english_client(**defaults: object) -> Client:
    """A test client that chose English with the language switch."""
    client = Client(**defaults)
    client.cookies["tropa_lang"] = "en"
    return client


def russian_client(**defaults: object) -> Client:
    """A test client with no language chosen: Russian, the default."""
    return Client(**defaults)


def sign_in(client: Client, person: Person) -> Client:
    response = client.post(
        "/staff/login/",
        {"username": person.username, "password": person.password, "code": person.code()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url != "/staff/login/"
    return client


@pytest.fixture
def signed_in():
    """signed_in(person) -> a Client signed in as that person."""
    return lambda person, client=None: sign_in(client or english_client(), person)
