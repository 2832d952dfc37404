"""Time a full staff sign-in with production key-wrapping limits.

Runs in-process against a throwaway SQLite data directory: password check
(Argon2id, Django's parameters) + TOTP + unwrapping the staff key (Argon2id at
TROPA_KDF, default moderate) + holding it for the session. Then the same
number of sign-ins with a duress password (tropa/accounts/duress.py), each
into a fresh account: the real account is marked in danger and a decoy opens,
which must take the same time within the normal spread. Prints figures; not a
pass/fail test.

    python bench/login.py [--runs 10] [--kdf moderate]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


DURESS = "another long passphrase, for duress"  # noqa: S105 (throwaway bench account)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--kdf", default="moderate", choices=["interactive", "moderate", "sensitive"]
    )
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="tropa-bench-"))
    os.environ.update(
        TROPA_DATA_DIR=str(data),
        TROPA_KDF=args.kdf,
        DJANGO_SETTINGS_MODULE="tropa.settings",
        TROPA_ALLOWED_HOSTS="testserver",
    )
    from tropa.cli import bootstrap

    bootstrap.write_secrets(data)
    import django

    django.setup()
    from django.test import Client
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tropa.accounts import actions, duress
    from tropa.accounts.models import Role

    bootstrap.initialise_org("admin")
    password = "a long benchmark passphrase"  # noqa: S105 (throwaway bench account)
    staff = actions.create_staff(
        username="bench",
        password=password,
        role=Role.CONSULTANT,
        actor=None,
        must_change_password=False,
    )
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=False)
    actions.enrol_two_factor(staff, device)

    def code_of(device: TOTPDevice) -> str:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        device.refresh_from_db()
        return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"

    def timed(username: str, secret: str, device: TOTPDevice) -> float:
        code = code_of(device)
        client = Client()
        started = time.perf_counter()
        response = client.post(
            "/staff/login/", {"username": username, "password": secret, "code": code}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        return elapsed

    timings = [timed("bench", password, device) for _ in range(args.runs)]
    under_duress = []
    for run in range(args.runs):
        person = actions.create_staff(
            username=f"duress{run}",
            password=password,
            role=Role.CONSULTANT,
            actor=None,
            must_change_password=False,
        )
        own = TOTPDevice.objects.create(user=person, name="app", confirmed=False)
        actions.enrol_two_factor(person, own)
        duress.set_duress_password(person, DURESS)
        under_duress.append(timed(f"duress{run}", DURESS, own))
    print(f"staff sign-in, KDF {args.kdf}, {args.runs} runs on {os.cpu_count()} cores:")
    for name, figures in (("real", timings), ("duress", under_duress)):
        print(
            f"  {name:7} median {statistics.median(figures) * 1000:.0f} ms, "
            f"min {min(figures) * 1000:.0f} ms, max {max(figures) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
