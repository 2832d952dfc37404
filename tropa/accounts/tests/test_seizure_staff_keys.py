"""What a seized database says about staff keys, counting every value ever written.

A running database keeps old row versions (PostgreSQL's dead tuples and WAL,
SQLite's WAL): an image holds every value a row ever had. So these tests
record every value the application writes to the staff and session tables
through a whole account life (created by an admin, first sign-in, own
password, admin reset, own password again) and search all of them, as an
adversary with the image would.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore

from tropa import vault
from tropa.accounts.models import Staff
from tropa.testing.people import english_client
from tropa.testing.writes import Write, every_write, raw_bytes

WATCHED = ("accounts_staff", "django_session")


def temporary_password(page: str) -> str:
    match = re.search(r'<code class="secret">([a-z0-9-]+)</code>', page)
    assert match, page[:3000]
    return match.group(1)


def wraps(rows: list[dict[str, object]]) -> list[vault.WrappedStaffKey]:
    found = []
    for row in rows:
        secret = raw_bytes(row.get("wrapped_secret"))
        if secret:
            found.append(
                vault.WrappedStaffKey(
                    public_key=raw_bytes(row.get("public_key")),
                    wrapped_secret=secret,
                    salt=raw_bytes(row["kdf_salt"]),
                    opslimit=int(row["kdf_opslimit"]),
                    memlimit=int(row["kdf_memlimit"]),
                )
            )
    return found


def sessions(rows: list[dict[str, object]]) -> str:
    return " ".join(
        str(SessionStore().decode(str(row["session_data"])))
        for row in rows
        if row.get("session_data")
    )


def first_password(client, temporary: str, chosen: str) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page = client.post("/staff/login/", {"username": "lena", "password": temporary, "code": ""})
    assert page.url == "/staff/two-factor/", page.content.decode()[:2000]
    client.get("/staff/two-factor/")
    device = TOTPDevice.objects.get(user__username="lena", confirmed=False)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    assert client.post("/staff/two-factor/", {"code": code}).status_code == 302
    done = client.post("/staff/password/", {"current": temporary, "new": chosen, "repeat": chosen})
    assert done.status_code == 302, done.content.decode()[:2000]


@pytest.mark.django_db
def test_no_temporary_password_and_no_wrap_under_one_reach_the_database(admin, signed_in):
    writes: list[Write] = []
    boss = signed_in(admin)
    with every_write(writes, WATCHED):
        # An admin creates an account; the person signs in and chooses a password
        page = boss.post(
            "/staff/people/new/", {"username": "lena", "role": "consultant", "language": "en"}
        )
        temporary = temporary_password(page.content.decode())
        lena = Staff.objects.get(username="lena")
        first_password(english_client(), temporary, "lena's own long password 1")
        # Later the admin resets it, and she chooses another
        page = boss.post(f"/staff/people/{lena.pk}/reset-password/")
        reset = temporary_password(page.content.decode())
        client = english_client()
        client.post("/staff/login/", {"username": "lena", "password": reset, "code": ""})

    rows = [write.row for write in writes]
    # Neither temporary password is in any version of any session row
    seen = sessions(rows)
    assert seen, "the search sees the sessions"
    assert temporary not in seen and reset not in seen

    # No key pair was ever wrapped under a password someone else saw
    written = wraps(rows)
    assert written, "the search sees the key wraps"
    for wrap in written:
        for password in (temporary, reset):
            with pytest.raises(vault.VaultError):
                vault.unwrap_staff_key(wrap, password)
    # Control: the wrap under her own password opens with it
    assert any(_opens(wrap, "lena's own long password 1") for wrap in written), (
        "the control must find her own wrap"
    )


def _opens(wrap: vault.WrappedStaffKey, password: str) -> bool:
    try:
        vault.unwrap_staff_key(wrap, password)
    except vault.VaultError:
        return False
    return True
