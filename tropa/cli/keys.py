"""`tropa backup`, `tropa restore`, `tropa recovery-split`, and reading the
recovery key (its 24 words, or shares of it) for them and `tropa recover`."""

from __future__ import annotations

import argparse
import getpass
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tropa.cli.setup import DEFAULT_DATA, setup_django, use_data_dir

if TYPE_CHECKING:
    from tropa import vault


def read_recovery_key(path: str | None) -> vault.KeyPair:
    """The recovery key from its 24 words or from enough shares (SLIP-39):
    from a file or piped in (one share per line), or typed, hidden, one share
    after another until the split's threshold is reached."""
    from tropa import vault

    if path or not sys.stdin.isatty():
        text = Path(path).read_text(encoding="utf-8") if path else sys.stdin.read()
        lines = [line for line in text.splitlines() if line.strip()]
        if lines and vault.is_share(lines[0]):
            return vault.recovery_key_from_shares(lines)
        return vault.recovery_key_from_words(text)
    first = getpass.getpass("Recovery words, or one share (typing is hidden): ")
    if not vault.is_share(first):
        return vault.recovery_key_from_words(first)
    shares = [first]
    needed = vault.shares_needed(shares)
    while len(shares) < needed:
        shares.append(getpass.getpass(f"Share {len(shares) + 1} of the {needed} needed: "))
    return vault.recovery_key_from_shares(shares)


def cmd_recovery_split(args: argparse.Namespace) -> int:
    """Split the existing recovery key (given as its words or enough shares)
    among trustees anew."""
    use_data_dir(args.data)
    setup_django()
    from tropa import vault
    from tropa.audit.log import record
    from tropa.audit.models import Action
    from tropa.cli import bootstrap
    from tropa.keyring.models import OrgKeys

    if not 1 < args.threshold <= args.shares <= 16:
        print("tropa: use 2 <= --threshold <= --shares <= 16.", file=sys.stderr)
        return 2
    try:
        recovery = read_recovery_key(args.words_file)
    except vault.BadRecoveryWords as error:
        print(f"tropa: not valid recovery words or shares ({error}).", file=sys.stderr)
        return 1
    if recovery.public_key != bytes(OrgKeys.load().recovery_public_key):
        print("tropa: that is not this organisation's recovery key.", file=sys.stderr)
        return 1
    record(None, Action.RECOVERY_SPLIT)
    print(f"The recovery key, split in {args.shares} shares; any {args.threshold} restore it.")
    print("Shares of an earlier split still restore it with each other: collect them.\n")
    print(bootstrap.shares_sheet(recovery, args.shares, args.threshold))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    use_data_dir(args.data)
    setup_django()
    from tropa import vault
    from tropa.accounts import backups

    if args.verify:
        recovery = None
        if args.words_file:
            try:
                recovery = read_recovery_key(args.words_file)
            except vault.BadRecoveryWords as error:
                print(f"tropa: not valid recovery words or shares ({error}).", file=sys.stderr)
                return 1
        verdict = backups.verify(Path(args.verify), recovery)
        if not verdict.ok:
            print(f"tropa: the backup is NOT usable: {verdict.reason}.", file=sys.stderr)
            return 1
        checked = "every chunk authentic, " if recovery else "whole and unchanged "
        print(f"Backup OK: {checked}{', '.join(verdict.names) or '(contents not opened)'}")
        return 0
    if not args.to:
        print("tropa: say where: tropa backup --to FILE (or --verify FILE).", file=sys.stderr)
        return 2
    try:
        written = backups.write_backup(Path(args.to))
    except (backups.BackupFailed, OSError) as error:
        print(f"tropa: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"Encrypted backup written to {written} ({written.stat().st_size:,} bytes).")
    print("It opens only with the recovery key (its words or shares).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore into an empty data directory; needs the recovery key."""
    from tropa.cli import bootstrap

    data = Path(args.data or DEFAULT_DATA).resolve()
    if data.exists() and any(data.iterdir()):
        print(f"tropa: {data} is not empty: restore only into an empty directory.", file=sys.stderr)
        return 1
    # Django needs a data directory with secrets to start: a scratch one, thrown away.
    with tempfile.TemporaryDirectory(prefix="tropa-restore-") as scratch:
        use_data_dir(scratch)
        bootstrap.write_secrets(Path(scratch))
        setup_django()
        from tropa import vault
        from tropa.accounts import backups
        from tropa.conf import env_str

        try:
            recovery = read_recovery_key(args.words_file)
            kind = backups.restore(Path(args.file), data, recovery, env_str("DATABASE_URL", ""))
        except vault.BadRecoveryWords as error:
            print(f"tropa: not valid recovery words or shares ({error}).", file=sys.stderr)
            return 1
        except backups.BackupFailed as error:
            print(f"tropa: restore failed: {error}", file=sys.stderr)
            return 1
    print(f"Restored into {data} ({kind}). Start it: tropa serve --data {data}")
    return 0
