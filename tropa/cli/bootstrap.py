"""Creating a data directory: secrets, database, org keys, first admin."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tropa import vault

SECRET_FILES = ("secret_key", "pepper")


class AlreadyInitialised(Exception):
    pass


def write_secrets(data_dir: Path) -> None:
    """Create the data directory (owner-only) and its generated secrets."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    secrets_dir = data_dir / "secrets"
    secrets_dir.mkdir(exist_ok=True)
    os.chmod(secrets_dir, 0o700)
    for name in SECRET_FILES:
        path = secrets_dir / name
        if path.exists():
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")


@dataclass(frozen=True)
class Initialised:
    recovery: vault.KeyPair
    admin_username: str
    admin_password: str


def initialise_org(admin_username: str) -> Initialised:
    """Migrate, create the org recovery and intake keys and the first admin.

    Needs Django set up on the new data directory. Refuses to run twice.
    """
    from django.core.management import call_command

    from tropa.accounts.actions import create_staff, generate_temporary_password
    from tropa.accounts.models import Role
    from tropa.audit.log import record
    from tropa.audit.models import Action
    from tropa.keyring.actions import create_org_keys
    from tropa.keyring.models import OrgKeys

    call_command("migrate", interactive=False, verbosity=0)
    if OrgKeys.objects.exists():
        raise AlreadyInitialised
    recovery, _intake = create_org_keys()
    password = generate_temporary_password()
    admin = create_staff(username=admin_username, password=password, role=Role.ADMIN, actor=None)
    record(admin, Action.ORG_INITIALISED)
    return Initialised(recovery=recovery, admin_username=admin.username, admin_password=password)


def recovery_sheet(recovery: vault.KeyPair) -> str:
    """The words to print once, numbered in columns, and a QR code of them."""
    import io

    import qrcode

    words = vault.recovery_words(recovery)
    lines = [f"{i + 1:2d}. {word:<10}" for i, word in enumerate(words)]
    rows = ["   ".join(lines[r::6]) for r in range(6)]
    qr = qrcode.QRCode(border=1)
    qr.add_data(" ".join(words))
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return "\n".join(rows) + "\n\n" + out.getvalue()


def shares_sheet(recovery: vault.KeyPair, shares: int, threshold: int) -> str:
    """The recovery key split among trustees: one block per share, to hand out
    one by one (each trustee writes down only their own)."""
    split = vault.split_recovery_key(recovery, shares, threshold)
    blocks = []
    for number, share in enumerate(split, start=1):
        words = share.split()
        rows = [" ".join(f"{i + 1:2d}. {w:<9}" for i, w in enumerate(words) if i // 11 == r)
                for r in range(3)]  # fmt: skip
        blocks.append(
            f"Share {number} of {shares} (any {threshold} restore the key):\n" + "\n".join(rows)
        )
    return "\n\n".join(blocks) + "\n"
