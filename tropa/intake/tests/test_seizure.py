"""Seizure: a stopped server's disk, database and logs give away no requester.

A real `tropa init` and `tropa serve` run in their own processes, on their own
data directory (and, when the suite runs on PostgreSQL, their own fresh
database). Requests, messages and files carrying unique marker strings go in
through HTTP only, as a person's browser sends them. Then the server is
stopped and every byte it could have left behind is read: the data directory
(SQLite database, WAL, secrets), everything it printed, new files in the
temporary directory, and on PostgreSQL a `pg_dump`, the database's data files
and the WAL written meanwhile. No marker and no codename may be found, in any
common encoding. A plaintext field triage may see (the region group) is found
the same way, so the search is known to work.

Staff work on a request the same way, by HTTP only: a coordinator and a
consultant made with `tropa createstaff` sign in for the first time (two-factor
enrolment, a new password), the coordinator gets the intake key with
`tropa recover`, accepts a request, assigns the consultant and reveals the
name; the consultant replies, writes an internal note, uploads a file for the
team and adds a task, all carrying markers. The case alias must come from the
word lists and be stored only in its own column.
"""

from __future__ import annotations

import os

import pytest

from tropa.testing.cli import (
    tropa,
    tropa_env,
)
from tropa.testing.seizure import (
    Markers,
    alias_in_old_sessions,
    assert_alias_only_in_case_rows,
    assert_alias_only_in_its_column,
    assert_nothing_found,
    image_running,
    init_and_serve,
    needles_for,
    pg_mark,
    pg_tables,
    run_casework,
    run_scenario,
    seize_files,
    seize_postgres,
    sqlite_sessions,
    sqlite_tables,
    stale_sessions,
    stop,
)

# Markers


# A requester's browser, by HTTP only


# Staff at work on a request, by HTTP only


# The server and what it leaves behind


def backed_up(tmp_path, data, env) -> dict[str, bytes]:
    """`tropa backup` of the running server, as a seized off-site copy would hold it."""
    target = tmp_path / "offsite.backup"
    done = tropa("backup", "--to", str(target), data=data, env=env)
    assert done.returncode == 0, done.stderr
    return {"the encrypted backup": target.read_bytes()}


# The tests


@pytest.mark.skipif(bool(os.environ.get("TROPA_DATABASE_URL")), reason="the SQLite scenario")
def test_it_leaves_no_requester_data_on_a_seized_sqlite_server(tmp_path, temp_before):
    # Given a server of its own, on SQLite in its data directory
    markers = Markers()
    env = tropa_env()
    data, server, words = init_and_serve(tmp_path, env)
    try:
        # When requesters write to it, staff work on a request, it is imaged
        # running, and stopped as systemd does
        kept, signed_in = run_scenario(server.url, markers)
        casework = run_casework(server.url, data, env, words, markers, signed_in)
        running = image_running(data)
        # and an admin takes an encrypted backup while it runs (also seized)
        offsite = backed_up(tmp_path, data, env)
    finally:
        stop(server)
    assert "running data/tropa.sqlite3-wal" in running, list(running)

    # Then nothing they wrote, and no codename, is anywhere it left
    places = seize_files(tmp_path, server, temp_before) | running
    places |= sqlite_sessions(data)
    database = b"".join(c for n, c in places.items() if "tropa.sqlite3" in n)
    assert database, list(places)
    sessions = stale_sessions(places)
    assert any(b"_auth_user_id" in value for value in sessions.values()), list(sessions)
    places |= sessions | offsite
    assert_nothing_found(needles_for(markers, kept), places, markers)
    # And the search works: the region group and the live session are found
    assert b"volga" in database
    assert b"at_front" in database and b"contract" in database
    assert signed_in.session_key().encode() in database
    # And the case alias, from the word lists, is stored in its own column only
    assert_alias_only_in_its_column(sqlite_tables(data), casework)
    alias_in_old_sessions(sessions, casework)


# PostgreSQL: the same people, a fresh database of the server's own


@pytest.mark.skipif(not os.environ.get("TROPA_DATABASE_URL"), reason="needs TROPA_DATABASE_URL")
def test_it_leaves_no_requester_data_on_a_seized_postgresql_server(
    tmp_path, temp_before, cluster, fresh_database
):
    # Given a server of its own on a fresh PostgreSQL database
    markers = Markers()
    mark = pg_mark(cluster)
    env = tropa_env(TROPA_DATABASE_URL=cluster.database_url(fresh_database))
    data, server, words = init_and_serve(tmp_path, env)
    try:
        # When requesters write to it, staff work on a request, it is imaged
        # running, and stopped
        kept, signed_in = run_scenario(server.url, markers)
        casework = run_casework(server.url, data, env, words, markers, signed_in)
        running = image_running(data)
        offsite = backed_up(tmp_path, data, env)
    finally:
        stop(server)

    # Then neither a dump of its database, nor its files, nor its logs give them away
    seized = seize_postgres(tmp_path, server, temp_before, running, cluster, fresh_database, mark)
    assert_nothing_found(needles_for(markers, kept), seized.places | offsite, markers)

    # And the search works: the plaintext region group is found in each kind of place
    for place, content in seized.controls.items():
        assert b"volga" in content, f"the control value is missing from {place}"
    assert signed_in.session_key().encode() in seized.dump
    # And the case alias, from the word lists, is stored in its own column only
    with cluster.connect(fresh_database) as connection:
        assert_alias_only_in_its_column(pg_tables(connection), casework)
    assert_alias_only_in_case_rows(seized.dump, casework)
    alias_in_old_sessions(seized.sessions, casework)
    if cluster.data_directory is None:
        pytest.skip(f"pg_dump searched; the cluster's files are not readable by {os.getuid()}")
