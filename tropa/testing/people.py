"""The named people of every test, unit and browser alike, and their clients.

One definition: tropa/conftest.py makes fixtures of them for unit tests, and
the browser tests take the same names (olga, ivan) with a committed database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa import vault
from tropa.accounts import actions
from tropa.accounts.models import Role, Staff

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


# Who is who: the fixture's name, the username, the role.
NAMED = {
    "admin": ("anna", Role.ADMIN),
    "coordinator": ("olga", Role.COORDINATOR),
    "consultant": ("ivan", Role.CONSULTANT),
    "analyst": ("pavel", Role.ANALYST),
    # A consultant who has been granted nothing and must be denied everything.
    "outsider": ("mallory", Role.CONSULTANT),
}


def make_person(
    recovery: vault.KeyPair, username: str, role: Role, *, enrolled: bool = True
) -> Person:
    """A staff member with a known password, two-factor enrolled, and (a
    coordinator) the intake key restored with the organisation's recovery key."""
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
        actions.restore_access(staff, recovery)
    return Person(staff, PASSWORD, device, codes)


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
