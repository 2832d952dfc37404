"""Backups: a snapshot that a seized copy cannot read, restored whole with the
recovery key, refused when cut short or altered, and made once by two
watchers; taken while requests keep coming in (PostgreSQL)."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.db import connection

from tropa import vault
from tropa.accounts import backups
from tropa.cases.models import Case
from tropa.core import clock
from tropa.core.models import Heartbeat
from tropa.intake import actions as intake
from tropa.testing.factories import STORY, answers_cleaned, new_request

# Committed rows: a snapshot (SQLite backup API, pg_dump) sees only those,
# and an open test transaction would hold the lock it waits for.
pytestmark = pytest.mark.django_db(transaction=True)


def requests_with_story(n: int) -> list[Case]:
    made = []
    for _ in range(n):
        _c, case = intake.submit_request(answers_cleaned(story=STORY), "ru")
        made.append(case)
    return made


def opened_stories(rows, envelopes, recovery: vault.KeyPair) -> list[str]:
    """Each case's story, opened with the recovery key from the restored rows."""
    stories = []
    for keyring_id, sealed_intake in rows:
        sealed, public = envelopes[keyring_id]
        case_keys = vault.open_sealed_secret_key(recovery, bytes(sealed), bytes(public))
        answers = json.loads(vault.open_from_many(case_keys, bytes(sealed_intake)))["answers"]
        stories.append(answers["story"])
    return stories


RESTORED_CASES = "SELECT keyring_id, sealed_intake FROM cases_case"
RECOVERY_COPIES = (
    "SELECT e.keyring_id, e.sealed_secret, r.public_key FROM keyring_envelope e "
    "JOIN keyring_keyring r ON r.id = e.keyring_id WHERE e.recipient_kind = 'recovery'"
)


def restored_rows(db) -> tuple[list, dict]:
    """The cases and their recovery copies, from a restored database (any DB-API connection)."""
    rows = db.execute(RESTORED_CASES).fetchall()
    envelopes = {k: (s, p) for k, s, p in db.execute(RECOVERY_COPIES).fetchall()}
    return rows, envelopes


@pytest.fixture
def empty_postgres():
    if connection.vendor != "postgresql":
        yield ""
        return
    db = connection.settings_dict
    name = f"tropa_restore_{uuid.uuid4().hex[:8]}"
    server = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_whole_and_every_case_opens(org, tmp_path, settings, empty_postgres):
    settings.DATA_DIR = tmp_path / "live"
    (settings.DATA_DIR / "secrets").mkdir(parents=True)
    (settings.DATA_DIR / "secrets" / "pepper").write_text("pepper-of-this-install\n")
    requests_with_story(3)
    made = backups.write_backup(tmp_path / "one.backup")
    raw = made.read_bytes()
    assert STORY.encode() not in raw and b"pepper-of-this-install" not in raw
    assert b"SQLite format" not in raw and b"PGDMP" not in raw  # nothing readable inside
    assert backups.verify(made).ok and backups.verify(made, org).ok
    kind = backups.restore(made, tmp_path / "restored", org, empty_postgres)
    restored = tmp_path / "restored"
    assert (restored / "secrets" / "pepper").read_text() == "pepper-of-this-install\n"
    if kind == "sqlite":
        with sqlite3.connect(restored / backups.SQLITE_NAME) as db:
            rows, envelopes = restored_rows(db)
    else:
        with psycopg.connect(empty_postgres) as db:
            rows, envelopes = restored_rows(db)
    assert kind == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert opened_stories(rows, envelopes, org) == [STORY] * 3


def test_a_cut_or_altered_backup_is_refused_and_restores_nothing(org, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "live"
    settings.DATA_DIR.mkdir()
    new_request()
    made = backups.write_backup(tmp_path / "one.backup")
    raw = made.read_bytes()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(raw[: len(raw) // 2])
    altered = tmp_path / "altered.backup"
    altered.write_bytes(raw[:300] + bytes([raw[300] ^ 1]) + raw[301:])
    for bad in (cut, altered):
        verdict = backups.verify(bad)
        assert not verdict.ok and "truncated or damaged" in verdict.reason
        with pytest.raises(backups.BackupFailed):
            backups.restore(bad, tmp_path / "nothing", org)
        assert not (tmp_path / "nothing").exists()
    # whole, but another organisation's key: it does not open
    other = backups.verify(made, vault.generate_keypair())
    assert not other.ok and "does not open" in other.reason
    with pytest.raises(backups.BackupFailed):
        backups.restore(made, tmp_path / "nothing", vault.generate_keypair())
    assert not (tmp_path / "nothing").exists()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    with pytest.raises(backups.BackupFailed, match="not empty"):
        backups.restore(made, tmp_path / "busy", org)


def test_the_scheduled_backup_is_made_once_keeps_the_newest_and_tells_the_admin(
    org, admin, signed_in, tmp_path, settings
):
    settings.DATA_DIR = tmp_path / "live"
    settings.DATA_DIR.mkdir()
    settings.TROPA_BACKUP_DIR = str(tmp_path / "backups")
    settings.TROPA_BACKUP_KEEP = 2
    page = signed_in(admin).get("/staff/").content.decode()
    assert "No backup has been made yet" in page
    assert backups.scheduled() == 1
    assert backups.scheduled() == 0  # the second watcher finds it claimed
    for hours in (25, 50):
        with clock.moved(timedelta(hours=hours)):
            assert backups.scheduled() == 1
    assert len(list((tmp_path / "backups").glob("tropa-*.backup"))) == 2
    assert "The last backup is" in signed_in(admin).get("/staff/").content.decode()
    Heartbeat.objects.filter(name=backups.DONE).update(beat_at=clock.now() - timedelta(days=3))
    page = signed_in(admin).get("/staff/").content.decode()
    assert 'id="home-backup"' in page and "tone-warn" in page


@pytest.mark.django_db(transaction=True)  # the writers' threads see committed rows
def test_a_backup_taken_while_requests_arrive_is_consistent(org, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite in memory has one connection; the on-disk case is the CLI's")
    settings.DATA_DIR = tmp_path / "live"
    settings.DATA_DIR.mkdir()
    stop = threading.Event()

    def intake_load() -> None:
        try:
            while not stop.is_set():
                new_request()
        finally:
            connection.close()

    writers = [threading.Thread(target=intake_load) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        made = backups.write_backup(tmp_path / "busy.backup")
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert backups.verify(made, org).ok
