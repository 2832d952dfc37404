"""The `tropa` command, run as an admin runs it: a real process on a real data directory.

Each test runs `python -m tropa.cli` in a subprocess with its own data
directory on SQLite, so these tests see exactly what an admin sees: exit codes,
messages, files and their modes.
"""

from __future__ import annotations

import base64
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tropa import vault
from tropa.testing.cli import (
    NEEDS_INTAKE,
    WORDS_ADMIN_KEEPS,
    Initialised,
    a_word_that_breaks_the_checksum,
    django_eval,
    envelopes,
    init,
    no_secret_message,
    parse_password,
    snapshot,
    sql,
    tropa,
    tropa_env,
)


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Initialised:
    """One `tropa init` for the tests that only look (they must not change it)."""
    return init(tmp_path_factory.mktemp("init") / "data")


@pytest.fixture
def copy(initialised, tmp_path) -> Initialised:
    """A private copy of the initialised directory, for tests that change it."""
    data = tmp_path / "data"
    shutil.copytree(initialised.data, data)
    return Initialised(data, initialised.words, initialised.password, initialised.stdout)


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# tropa init


def test_it_creates_an_owner_only_data_directory(initialised):
    data = initialised.data
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "secrets").stat().st_mode & 0o777 == 0o700
    for name in ("secret_key", "pepper"):
        path = data / "secrets" / name
        assert path.stat().st_mode & 0o777 == 0o600
        assert len(path.read_text(encoding="utf-8").strip()) >= 32
    secret_key = (data / "secrets" / "secret_key").read_bytes()
    assert secret_key != (data / "secrets" / "pepper").read_bytes()


def test_it_creates_the_sqlite_database_in_wal_mode(initialised):
    db = initialised.data / "tropa.sqlite3"
    # The file header says WAL (write and read versions 2), with no connection needed.
    assert db.read_bytes()[18:20] == b"\x02\x02"
    assert sql(initialised.data, "PRAGMA journal_mode") == [("wal",)]


def test_it_prints_24_valid_recovery_words_and_the_admins_password(initialised):
    assert len(initialised.words) == WORDS_ADMIN_KEEPS
    stored = sql(initialised.data, "SELECT recovery_public_key FROM keyring_orgkeys")
    assert initialised.recovery.public_key == bytes(stored[0][0])
    assert "First admin: admin" in initialised.stdout
    assert "shown once, never stored" in initialised.stdout
    assert "Next: tropa serve" in initialised.stdout


def test_it_gives_the_first_admin_a_password_that_signs_in(copy):
    out = django_eval(
        copy.data,
        "import os\n"
        "from tropa.accounts.signin import sign_in\n"
        "from tropa.accounts.models import Staff\n"
        "admin = Staff.objects.get(username='admin')\n"
        "print('ROLE', admin.role, admin.must_change_password)\n"
        "print('RIGHT', sign_in('admin', os.environ['PW'], '').outcome.name)\n"
        "print('WRONG', sign_in('admin', os.environ['PW'] + 'x', '').outcome.name)\n",
        PW=copy.password,
    )
    assert "ROLE admin True" in out
    # Right password, keys unwrapped; two-factor enrolment comes next.
    assert "RIGHT NEEDS_ENROLMENT" in out
    assert "WRONG FAILED" in out


def test_it_stores_the_recovery_private_key_nowhere(initialised):
    recovery = initialised.recovery
    secret, public = recovery.secret_key, recovery.public_key
    forms_of_the_secret = {
        "raw": secret,
        "hex": secret.hex().encode(),
        "HEX": secret.hex().upper().encode(),
        "base64": base64.b64encode(secret),
        "base64 unpadded": base64.b64encode(secret).rstrip(b"="),
        "urlsafe base64": base64.urlsafe_b64encode(secret).rstrip(b"="),
        "base32": base64.b32encode(secret).rstrip(b"="),
        "words": " ".join(initialised.words).encode(),
    }
    files = snapshot(initialised.data)
    assert "tropa.sqlite3" in files
    everything = b"".join(content for _mode, content in files.values())
    for form, needle in forms_of_the_secret.items():
        assert needle not in everything, f"the recovery secret key is stored ({form})"
    # The search works: the public half is stored, raw, and found the same way.
    assert public in everything
    assert public in files["tropa.sqlite3"][1]


def test_it_refuses_a_second_init_and_changes_nothing(initialised):
    before = snapshot(initialised.data)
    done = tropa("init", data=initialised.data)
    assert done.returncode == 1
    assert "already initialised; nothing changed" in done.stderr
    assert "Temporary password" not in done.stdout
    assert snapshot(initialised.data) == before


def test_it_initialises_with_a_chosen_admin_name(tmp_path):
    done = tropa("init", "--admin", "Nadia", data=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert "First admin: nadia" in done.stdout
    assert sql(tmp_path / "data", "SELECT username, role FROM accounts_staff") == [
        ("nadia", "admin")
    ]


# Secrets


def test_it_refuses_to_serve_without_a_secret(tmp_path, unused_port):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = tropa("serve", "--bind", f"127.0.0.1:{unused_port}", data=empty)
    assert done.returncode != 0
    no_secret_message(done.stderr)
    assert "Tropa is serving" not in done.stdout
    assert list(empty.iterdir()) == []


def test_it_refuses_to_check_without_a_secret(tmp_path):
    done = tropa("check", data=tmp_path / "nowhere")
    assert done.returncode != 0
    no_secret_message(done.stderr)
    assert not (tmp_path / "nowhere").exists()


@pytest.fixture
def key_elsewhere(copy, tmp_path) -> tuple[Initialised, Path]:
    """An initialised directory whose secret key file was moved out of it."""
    elsewhere = tmp_path / "secret_key"
    shutil.move(copy.data / "secrets" / "secret_key", elsewhere)
    return copy, elsewhere


def test_it_refuses_to_start_when_the_secret_key_file_is_gone(key_elsewhere):
    copy, _elsewhere = key_elsewhere
    done = tropa("audit", "verify", data=copy.data)
    assert done.returncode != 0
    no_secret_message(done.stderr)


def test_it_reads_the_secret_key_from_the_file_named_in_the_environment(key_elsewhere):
    copy, elsewhere = key_elsewhere
    env = tropa_env(TROPA_SECRET_KEY_FILE=str(elsewhere))
    done = tropa("audit", "verify", data=copy.data, env=env)
    assert done.returncode == 0, done.stderr
    assert "Audit chain intact" in done.stdout


def test_it_refuses_a_secret_key_file_that_does_not_exist(key_elsewhere, tmp_path):
    copy, _elsewhere = key_elsewhere
    env = tropa_env(TROPA_SECRET_KEY_FILE=str(tmp_path / "typo"))
    done = tropa("audit", "verify", data=copy.data, env=env)
    assert done.returncode != 0
    assert "No secret TROPA_SECRET_KEY" in done.stderr
    assert "typo" in done.stderr


def test_it_refuses_both_the_secret_key_and_its_file(key_elsewhere):
    copy, elsewhere = key_elsewhere
    env = tropa_env(TROPA_SECRET_KEY="k" * 50, TROPA_SECRET_KEY_FILE=str(elsewhere))
    done = tropa("audit", "verify", data=copy.data, env=env)
    assert done.returncode != 0
    assert "Set TROPA_SECRET_KEY or TROPA_SECRET_KEY_FILE, not both" in done.stderr


def test_it_refuses_a_short_secret_key(initialised):
    done = tropa("audit", "verify", data=initialised.data, env=tropa_env(TROPA_SECRET_KEY="short"))
    assert done.returncode != 0
    assert "TROPA_SECRET_KEY is too short" in done.stderr


def test_it_refuses_a_bad_number_of_workers_with_a_clear_message(initialised):
    done = tropa("serve", data=initialised.data, env=tropa_env(TROPA_WORKERS="lots"))
    assert done.returncode == 1
    assert "TROPA_WORKERS must be a whole number" in done.stderr
    assert "Traceback" not in done.stderr


# tropa createstaff


def test_it_creates_staff_with_a_temporary_password_that_signs_in(copy):
    done = tropa("createstaff", "Bob", "--role", "consultant", data=copy.data)
    assert done.returncode == 0, done.stderr
    assert "Created consultant bob." in done.stdout
    password = parse_password(done.stdout)
    out = django_eval(
        copy.data,
        "import os\n"
        "from tropa.accounts.signin import sign_in\n"
        "from tropa.accounts.models import Staff\n"
        "bob = Staff.objects.get(username='bob')\n"
        "print('ROLE', bob.role, bob.must_change_password)\n"
        "print('RIGHT', sign_in('bob', os.environ['PW'], '').outcome.name)\n",
        PW=password,
    )
    assert "ROLE consultant True" in out
    assert "RIGHT NEEDS_ENROLMENT" in out
    # Consultants need no intake key, so no advice about recovering it.
    assert "tropa recover" not in done.stdout


def test_it_refuses_a_bad_username_and_creates_no_one(copy):
    done = tropa("createstaff", "bad name!", "--role", "consultant", data=copy.data)
    assert done.returncode == 1
    assert done.stderr.startswith("tropa: ")
    assert "2 to 40 characters" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Temporary password" not in done.stdout
    assert sql(copy.data, "SELECT username FROM accounts_staff") == [("admin",)]


def test_it_refuses_a_username_that_is_taken(copy):
    done = tropa("createstaff", "admin", "--role", "consultant", data=copy.data)
    assert done.returncode == 1
    assert "already exists" in done.stderr
    assert sql(copy.data, "SELECT role FROM accounts_staff") == [("admin",)]


def test_it_refuses_an_unknown_role(copy):
    done = tropa("createstaff", "bob", "--role", "general", data=copy.data)
    assert done.returncode == 2
    assert "invalid choice: 'general'" in done.stderr


# tropa recover


CHOOSE_PASSWORD = (
    "from tropa.accounts.actions import choose_first_password\n"
    "from tropa.accounts.models import Staff\n"
    "choose_first_password(Staff.objects.get(username='olga'), 'olga chose this herself 1')\n"
)


@pytest.fixture
def coordinator(copy) -> Initialised:
    """A new coordinator who has signed in once and chosen her own password."""
    done = tropa("createstaff", "olga", "--role", "coordinator", data=copy.data)
    assert done.returncode == 0, done.stderr
    assert "run: tropa recover olga" in done.stdout
    django_eval(copy.data, CHOOSE_PASSWORD)
    return copy


def test_it_refuses_to_recover_for_someone_who_has_no_keys_yet(copy):
    tropa("createstaff", "olga", "--role", "coordinator", data=copy.data)
    words = "\n".join(copy.words) + "\n"
    done = tropa("recover", "olga", data=copy.data, stdin=words)
    assert done.returncode == 1
    assert "has no keys yet" in done.stderr
    assert "Traceback" not in done.stderr


def test_it_grants_a_new_coordinator_the_intake_key_with_the_recovery_words(coordinator):
    assert "NEEDS True" in django_eval(coordinator.data, NEEDS_INTAKE)
    words = "\n".join(coordinator.words) + "\n"
    done = tropa("recover", "olga", data=coordinator.data, stdin=words)
    assert done.returncode == 0, done.stderr
    assert "Restored 1 key(s) for olga." in done.stdout
    assert "NEEDS False" in django_eval(coordinator.data, NEEDS_INTAKE)
    # The words are never repeated back.
    assert " ".join(coordinator.words[:3]) not in done.stdout + done.stderr
    assert sql(
        coordinator.data, "SELECT count(*) FROM audit_entry WHERE action = ?", "access_restored"
    ) == [(1,)]


def test_it_reads_the_recovery_words_from_a_file(coordinator, tmp_path):
    words_file = tmp_path / "words.txt"
    words_file.write_text("  ".join(coordinator.words).upper(), encoding="utf-8")
    done = tropa("recover", "olga", "--words-file", str(words_file), data=coordinator.data)
    assert done.returncode == 0, done.stderr
    assert "Restored 1 key(s)" in done.stdout


@pytest.mark.parametrize("mistake", ["garbage", "23 words", "one wrong word"])
def test_it_refuses_words_that_are_not_recovery_words(coordinator, mistake):
    words = {
        "garbage": ["foo", "bar"],
        "23 words": coordinator.words[:-1],
        "one wrong word": a_word_that_breaks_the_checksum(coordinator.words),
    }[mistake]
    done = tropa("recover", "olga", data=coordinator.data, stdin=" ".join(words))
    assert done.returncode == 1
    assert "not valid recovery words" in done.stderr
    assert "Traceback" not in done.stderr
    assert "NEEDS True" in django_eval(coordinator.data, NEEDS_INTAKE)


def test_it_refuses_the_recovery_words_of_another_organisation(coordinator):
    other = vault.recovery_words(vault.generate_keypair())
    done = tropa("recover", "olga", data=coordinator.data, stdin=" ".join(other))
    assert done.returncode == 1
    assert "not this organisation's recovery key" in done.stderr
    assert "NEEDS True" in django_eval(coordinator.data, NEEDS_INTAKE)


def test_it_refuses_to_recover_someone_who_does_not_exist(initialised):
    done = tropa("recover", "nobody", data=initialised.data, stdin=" ".join(initialised.words))
    assert done.returncode == 1
    assert "no staff member 'nobody'" in done.stderr


# tropa audit verify


def test_it_finds_the_audit_chain_intact_after_init(initialised):
    done = tropa("audit", "verify", data=initialised.data)
    assert done.returncode == 0, done.stderr
    assert "Audit chain intact: 2 entries." in done.stdout
    assert re.search(r"head hash [0-9a-f]{64}", done.stdout)


def test_it_switches_surge_mode_from_the_command_line(copy):
    done = tropa("surge", "on", data=copy.data)
    assert done.returncode == 0, done.stderr
    assert "Surge mode is on" in done.stdout
    assert sql(copy.data, 'SELECT "on", short_questionnaire FROM core_surge') == [(1, 1)]
    done = tropa("surge", "off", data=copy.data)
    assert done.returncode == 0 and "Surge mode is off." in done.stdout
    assert sql(copy.data, "SELECT action FROM audit_entry WHERE action = 'surge_changed'") == [
        ("surge_changed",),
        ("surge_changed",),
    ]


def test_it_names_the_audit_entry_that_was_tampered_with(copy):
    with sqlite3.connect(copy.data / "tropa.sqlite3") as db:
        db.execute("UPDATE audit_entry SET action='logout' WHERE seq=1")
    db.close()
    done = tropa("audit", "verify", data=copy.data)
    assert done.returncode == 1
    assert "Audit chain BROKEN at entry 1" in done.stdout
    assert "0 entries before it are intact" in done.stdout


def test_it_notices_a_deleted_audit_entry(copy):
    with sqlite3.connect(copy.data / "tropa.sqlite3") as db:
        db.execute("DELETE FROM audit_entry WHERE seq=1")
    db.close()
    done = tropa("audit", "verify", data=copy.data)
    assert done.returncode == 1
    assert "Audit chain BROKEN" in done.stdout


# tropa check and tropa watch


def test_it_fails_the_check_while_the_watcher_never_ran(initialised):
    done = tropa("check", data=initialised.data)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "ok    debug is off" in lines
    assert "ok    database reachable (sqlite)" in lines
    assert "ok    migrations applied" in lines
    assert "ok    SQLite journal mode is wal" in lines
    assert "ok    organisation keys present" in lines
    assert (
        "FAIL  the watcher is not running (never ran): start `tropa serve` or `tropa watch`"
        in lines
    )
    assert lines[-1] == "1 problem(s)"


def test_it_passes_the_check_after_one_watcher_cycle(copy):
    watched = tropa("watch", "--once", data=copy.data)
    assert watched.returncode == 0, watched.stderr
    done = tropa("check", data=copy.data)
    assert done.returncode == 0, done.stdout
    assert "ok    watcher heartbeat fresh" in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1] == "all checks passed"


def test_it_fails_the_check_when_debug_is_on(initialised):
    done = tropa("check", data=initialised.data, env=tropa_env(TROPA_DEBUG="true"))
    assert done.returncode == 1
    assert "FAIL  TROPA_DEBUG is on: it must be off on a real server" in done.stdout


def test_it_fails_the_check_when_a_secret_is_readable_by_others(copy):
    (copy.data / "secrets" / "pepper").chmod(0o644)
    done = tropa("check", data=copy.data)
    assert done.returncode == 1
    assert f"FAIL  {copy.data / 'secrets' / 'pepper'} is readable by others" in done.stdout


def test_it_fails_the_check_before_init_created_the_database(initialised, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(initialised.data / "secrets", data / "secrets")
    done = tropa("check", data=data)
    assert done.returncode == 1
    assert "FAIL  database migrations are not applied" in done.stdout


def test_it_stops_the_watcher_cleanly_on_sigterm(copy):
    env = tropa_env(TROPA_WATCH_INTERVAL_SECONDS="1")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "tropa.cli", "watch", "--data", str(copy.data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait for its first heartbeat (bounded; it waits on another process).
        deadline = time.monotonic() + 20
        while not sql(copy.data, "SELECT 1 FROM core_heartbeat WHERE name='watcher'"):
            assert watcher.poll() is None, watcher.communicate()
            assert time.monotonic() < deadline, "the watcher never beat"
            time.sleep(0.05)
        watcher.send_signal(signal.SIGTERM)
        _out, err = watcher.communicate(timeout=20)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.communicate()
    assert watcher.returncode == 0, err
    assert "watcher stopping after this cycle" in err


# tropa panic-wipe


@pytest.mark.parametrize("confirm", [[], ["--confirm", "yes"]])
def test_it_refuses_to_panic_wipe_without_the_confirmation(copy, confirm):
    before = envelopes(copy.data)
    assert before > 0
    done = tropa("panic-wipe", *confirm, data=copy.data)
    assert done.returncode == 2
    assert "--confirm destroy-every-key" in done.stderr
    assert envelopes(copy.data) == before


def test_it_panic_wipes_every_envelope(coordinator):
    done = tropa("recover", "olga", data=coordinator.data, stdin=" ".join(coordinator.words))
    assert done.returncode == 0, done.stderr
    assert envelopes(coordinator.data) == 2  # intake key: to recovery and to olga
    done = tropa("panic-wipe", "--confirm", "destroy-every-key", data=coordinator.data)
    assert done.returncode == 0, done.stderr
    assert "Deleted 2 sealed key(s)" in done.stdout
    assert envelopes(coordinator.data) == 0
    assert sql(coordinator.data, "SELECT actor_id FROM audit_entry WHERE action='panic_wipe'") == [
        (None,)
    ]
    # The wipe is final: not even the recovery words bring the intake key back.
    again = tropa("recover", "olga", data=coordinator.data, stdin=" ".join(coordinator.words))
    assert "Restored 0 key(s)" in again.stdout
    assert envelopes(coordinator.data) == 0


# tropa demo


def test_it_creates_a_demo_with_five_staff(tmp_path):
    data = tmp_path / "demo"
    done = tropa("demo", "--no-serve", data=data)
    assert done.returncode == 0, done.stderr
    assert (data / "DEMO").is_file()
    staff = sql(data, "SELECT username, role FROM accounts_staff ORDER BY username")
    assert staff == [
        ("admin", "admin"),
        ("ivan", "consultant"),
        ("maria", "consultant"),
        ("olga", "coordinator"),
        ("pavel", "analyst"),
    ]
    assert "synthetic data only" in done.stdout
    assert "password for all: demo-only-passphrase" in done.stdout
    for username, role in staff:
        assert re.search(rf"^  {username} +{role} +TOTP seed [A-Z2-7]+$", done.stdout, re.M)
    assert "Tropa is serving" not in done.stdout
    # Synthetic requests went through the real intake path, sealed like real ones.
    cases = sql(data, "SELECT situation, status, length(sealed_intake) FROM cases_case")
    assert len(cases) >= 5
    assert all(length > 100 for _s, _status, length in cases)
    statuses = sorted(status for _s, status, _length in cases)
    # One of the three is in transit: its journey has a leg under way
    assert statuses.count("active") == 2 and statuses.count("in_transit") == 1
    assert statuses.count("new") >= 2
    # in several of the requester languages, as the inbox shows and filters them
    languages = {language for (language,) in sql(data, "SELECT language FROM cases_case")}
    assert {"ru", "en", "uz", "si", "ta"} <= languages
    assert len(sql(data, "SELECT id FROM cases_assignment")) == 3
    # A journey under way, with two check-ins to review (one of them a duress
    # signal, which the database does not show).
    assert sql(data, "SELECT status FROM journeys_leg ORDER BY position") == [
        ("active",),
        ("planned",),
    ]
    assert sql(data, "SELECT kind, stage FROM journeys_alert") == [("checkin", 0)] * 2
    # Two applications to safer countries at different stages, with tasks for their dates
    assert sql(
        data, "SELECT country, route, stage FROM assistance_application ORDER BY country"
    ) == [("AM", "residence", "preparing"), ("DE", "humanitarian", "submitted")]
    assert len(sql(data, "SELECT id FROM assistance_keydate WHERE task_id IS NOT NULL")) == 2
    # A small sealed directory and one referral in progress
    assert sorted(sql(data, "SELECT type FROM assistance_entry")) == [
        ("route_point",),
        ("service",),
        ("service",),
    ]
    assert sql(data, "SELECT kind, status FROM assistance_referral") == [("psychologist", "sent")]
    # and a sealed handover note from the duty coordinator
    notes = sql(data, "SELECT sealed_text FROM accounts_handovernote")
    assert [len(text) > 100 for (text,) in notes] == [True]
    codename = re.search(r"portal/login/ :\n  (.+)$", done.stdout, re.M)
    assert codename and len(codename.group(1).split()) == 7
    # A second run starts the demo afresh.
    first_seeds = re.findall(r"TOTP seed (\S+)", done.stdout)
    again = tropa("demo", "--no-serve", data=data)
    assert again.returncode == 0, again.stderr
    assert set(re.findall(r"TOTP seed (\S+)", again.stdout)).isdisjoint(first_seeds)
    assert len(sql(data, "SELECT id FROM accounts_staff")) == 5


def test_it_refuses_to_turn_a_real_data_directory_into_a_demo(initialised):
    before = snapshot(initialised.data)
    done = tropa("demo", "--no-serve", data=initialised.data)
    assert done.returncode != 0
    assert "is not a demo directory" in done.stderr
    assert snapshot(initialised.data) == before
    assert not (initialised.data / "DEMO").exists()


def test_it_refuses_to_wipe_any_directory_that_is_not_a_demo(tmp_path):
    data = tmp_path / "home"
    data.mkdir()
    (data / "thesis.txt").write_text("years of work", encoding="utf-8")
    done = tropa("demo", "--no-serve", data=data)
    assert done.returncode != 0
    assert (data / "thesis.txt").read_text(encoding="utf-8") == "years of work"
    assert [p.name for p in data.iterdir()] == ["thesis.txt"]
