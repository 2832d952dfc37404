"""Backups: `tropa backup`, `tropa restore`, and the watcher's scheduled one.

A backup is one file: a tar of a consistent online snapshot of the database
(SQLite's backup API, or `pg_dump --format=custom` for PostgreSQL) and the
data directory's secrets, encrypted as a stream to the organisation's
recovery public key (tropa/vault/backup.py says the format). The recovery
key, not a separate backup key: it already opens every case through the
copies sealed to it, so a backup adds nothing to what it protects, and there
is one offline secret to keep (split among trustees if wished). Whoever can
restore a backup can read it; nobody else can, with or without the server.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection

from tropa import vault
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.core import clock
from tropa.core.models import Heartbeat
from tropa.keyring.models import OrgKeys

SQLITE_NAME = "tropa.sqlite3"
PG_NAME = "database.pgdump"
# What else of the data directory goes in: its secrets and the demo marker.
KEPT = ("secrets", "DEMO")
DONE = "backup"  # the heartbeat row of the last backup that finished
CLAIM = "backup-claim"  # the scheduled one's claim, so two watchers make one


class BackupFailed(Exception):
    """A backup or restore that cannot be done, said plainly."""


def _pg_url() -> str:
    """The URL of the database Django is connected to (its settings, not the
    environment: under tests that is another database)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _database_snapshot(into: Path) -> tuple[str, Path]:
    """A consistent copy of the database while it is in use."""
    if connection.vendor == "postgresql":
        target = into / PG_NAME
        done = subprocess.run(  # noqa: S603 - fixed program, our own URL
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _pg_url()],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupFailed(f"pg_dump failed: {done.stderr.strip()[:300]}")
        return PG_NAME, target
    target = into / SQLITE_NAME
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # Pages copied under a read snapshot: consistent while others write.
        connection.connection.backup(copy)
    finally:
        copy.close()
    return SQLITE_NAME, target


def write_backup(destination: Path) -> Path:
    """Write an encrypted backup to `destination` (complete or not at all)."""
    recovery_public = bytes(OrgKeys.load().recovery_public_key)
    destination = destination.resolve()
    partial = destination.with_name(destination.name + ".partial")
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".backup-") as work:
        name, snapshot = _database_snapshot(Path(work))
        with open(partial, "wb") as out:
            writer = vault.BackupWriter(out, recovery_public)
            with tarfile.open(fileobj=writer, mode="w|") as tar:  # type: ignore[call-overload]
                tar.add(snapshot, arcname=name)
                for kept in KEPT:
                    if (settings.DATA_DIR / kept).exists():
                        tar.add(settings.DATA_DIR / kept, arcname=kept)
            writer.close()
            out.flush()
            os.fsync(out.fileno())
    os.replace(partial, destination)
    Heartbeat.beat(DONE)
    record(None, Action.BACKUP_MADE)
    return destination


class _Reader(io.RawIOBase):
    """The plaintext of a backup as a readable stream, for tarfile."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._left = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        while not self._left:
            self._left = next(self._chunks, b"")
            if not self._left:
                return 0
        size = min(len(buffer), len(self._left))
        buffer[:size], self._left = self._left[:size], self._left[size:]
        return size


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    names: tuple[str, ...] = ()


def verify(path: Path, recovery: vault.KeyPair | None = None) -> Verdict:
    """Whole and unchanged (no key); with the key, every chunk authentic and
    the archive readable to its end."""
    try:
        with open(path, "rb") as handle:
            if not vault.intact(handle.read):
                return Verdict(False, "the file is truncated or damaged")
            if recovery is None:
                return Verdict(True)
            handle.seek(0)
            names = []
            with tarfile.open(fileobj=_Reader(vault.open_backup(handle.read, recovery)),
                              mode="r|") as tar:  # fmt: skip
                for member in tar:
                    names.append(member.name)
                    extracted = tar.extractfile(member)
                    while extracted is not None and extracted.read(1024 * 1024):
                        pass
    except OSError as error:
        return Verdict(False, f"cannot read it: {error.strerror or error}")
    except (vault.CannotOpen, tarfile.TarError) as error:
        return Verdict(False, f"it does not open with this key, or was altered ({error})")
    return Verdict(True, names=tuple(names))


def restore(path: Path, data_dir: Path, recovery: vault.KeyPair, database_url: str = "") -> str:
    """Restore into an empty data directory (and, for a PostgreSQL backup, an
    empty database). Nothing is left behind when it fails. Returns the kind."""
    data_dir = data_dir.resolve()
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupFailed(f"{data_dir} is not empty: restore only into an empty directory")
    verdict = verify(path)
    if not verdict.ok:
        raise BackupFailed(verdict.reason)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=data_dir.parent, prefix=".restore-"))
    try:
        with (
            open(path, "rb") as handle,
            tarfile.open(
                fileobj=_Reader(vault.open_backup(handle.read, recovery)), mode="r|"
            ) as tar,
        ):
            for member in tar:
                if member.name.split("/")[0] not in (SQLITE_NAME, PG_NAME, *KEPT):
                    raise BackupFailed(f"unexpected entry in the backup: {member.name!r}")
                tar.extract(member, work, filter="data")
        kind = "sqlite" if (work / SQLITE_NAME).exists() else "postgresql"
        if kind == "postgresql":
            _pg_restore(work / PG_NAME, database_url)
            (work / PG_NAME).unlink()
        os.chmod(work, 0o700)
        if data_dir.exists():
            data_dir.rmdir()
        os.replace(work, data_dir)
    except (vault.CannotOpen, tarfile.TarError) as error:
        shutil.rmtree(work, ignore_errors=True)
        raise BackupFailed(f"it does not open with this key, or was altered ({error})") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return kind


def _pg_restore(dump: Path, url: str) -> None:
    if not url:
        raise BackupFailed("a PostgreSQL backup needs TROPA_DATABASE_URL: an empty database")
    done = subprocess.run(  # noqa: S603 - fixed program, our own URL
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", url, str(dump)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupFailed(f"pg_restore failed: {done.stderr.strip()[:300]}")


def scheduled() -> int:
    """Watcher job: a backup into TROPA_BACKUP_DIR every TROPA_BACKUP_HOURS,
    keeping the newest TROPA_BACKUP_KEEP. Claimed with a conditional UPDATE,
    so of several watchers one makes it."""
    folder = settings.TROPA_BACKUP_DIR
    if not folder:
        return 0
    now = clock.now()
    Heartbeat.objects.get_or_create(name=CLAIM, defaults={"beat_at": now - timedelta(days=3650)})
    due = now - timedelta(hours=settings.TROPA_BACKUP_HOURS)
    if not Heartbeat.objects.filter(name=CLAIM, beat_at__lte=due).update(beat_at=now):
        return 0
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    write_backup(target / f"tropa-{now:%Y%m%d-%H%M%S}.backup")
    for old in sorted(target.glob("tropa-*.backup"))[: -settings.TROPA_BACKUP_KEEP]:
        old.unlink()
    return 1


def last_backup_age() -> timedelta | None:
    row = Heartbeat.objects.filter(name=DONE).first()
    return None if row is None else clock.now() - row.beat_at
