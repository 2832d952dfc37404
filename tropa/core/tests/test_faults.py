"""Faults of a real `tropa serve` under intake: a killed master, worker or watcher.

Each test runs a real server on SQLite in its own data directory, keeps
several clients submitting requests, kills one process with SIGKILL, and
checks afterwards that the database is intact and that every request the
server acknowledged (answered with a codename) is stored.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tropa.testing.cli import Server, init, launch_server, start_server
from tropa.testing.seizure import Visitor

CLIENTS = 4
DEADLINE = 30.0  # seconds any awaited change of a real process may take
ORPHAN_SECONDS = 10.0  # a review saw orphans serve on for 13 s and more


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            text = (task / "children").read_text()
        except OSError:  # the thread (or the process) ended between the listing and the read
            continue
        found += [int(child) for child in text.split()]
    return found


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")


def until(condition, what: str) -> None:
    """Wait (bounded) for another process to do something."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.05)


def workers_of(server: Server) -> list[int]:
    """gunicorn's workers: forks of the master (the helpers run other commands)."""
    return [pid for pid in children(server.process.pid) if "tropa.cli serve" in command_of(pid)]


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Intake:
    """Clients that keep submitting requests; counts what the server acknowledged."""

    def __init__(self, server: Server) -> None:
        self.base = server.url
        self.acknowledged = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._client) for _ in range(CLIENTS)]

    def _client(self) -> None:
        while not self.stop.is_set():
            visitor = Visitor(self.base)
            try:
                if visitor.get("/request/").status != 200:
                    continue
                page = visitor.post("/request/", [("situation", "summons")])
            except OSError:
                continue  # the server is gone: not acknowledged, nothing promised
            if page.status == 200 and page.url.endswith("/request/codename/"):
                with self.lock:
                    self.acknowledged += 1

    def __enter__(self) -> Intake:
        for thread in self.threads:
            thread.start()
        until(lambda: self.acknowledged >= 5, "the first requests are acknowledged")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(DEADLINE)


def stored_requests(data: Path) -> tuple[str, int]:
    db = sqlite3.connect(data / "tropa.sqlite3")
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        count = db.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    finally:
        db.close()
    return integrity, count


@pytest.fixture
def initialised(tmp_path):
    return init(tmp_path / "data")


def test_killing_the_master_alone_loses_nothing_and_a_restart_takes_over(initialised, tmp_path):
    logs, again_logs = tmp_path / "logs", tmp_path / "again"
    logs.mkdir()
    again_logs.mkdir()
    server = start_server(initialised, logs)
    until(lambda: workers_of(server), "gunicorn has started its workers")
    workers = workers_of(server)

    # Given requests arriving all the time, when only the master is killed
    # and an operator (or systemd) starts the server again at once
    with Intake(server) as intake:
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        killed_at = time.monotonic()
        again = launch_server(initialised, again_logs, port=server.port)
        # Then the orphaned workers stop serving promptly
        until(lambda: not any(alive(pid) for pid in workers), "the orphaned workers exit")
        assert time.monotonic() - killed_at < ORPHAN_SECONDS
    acknowledged = intake.acknowledged

    # And the new server takes the port over and serves
    until(lambda: workers_of(again) or again.process.poll() is not None, "new workers start")
    assert again.process.poll() is None, again.output()
    with Intake(again) as more:
        pass
    assert again.stop() == 0

    # Nothing acknowledged is lost, and SQLite is intact
    integrity, count = stored_requests(initialised.data)
    assert integrity == "ok"
    assert count >= acknowledged + more.acknowledged


def test_a_killed_worker_is_replaced_and_loses_nothing(initialised, tmp_path):
    server = start_server(initialised, tmp_path)
    until(lambda: workers_of(server), "gunicorn has started its workers")
    workers = workers_of(server)
    with Intake(server) as intake:
        os.kill(workers[0], signal.SIGKILL)
        until(
            lambda: len(set(workers_of(server)) - set(workers)) == 1,
            "gunicorn starts another worker",
        )
        before = intake.acknowledged
        until(lambda: intake.acknowledged >= before + 5, "requests are acknowledged again")
    assert server.stop() == 0
    integrity, count = stored_requests(initialised.data)
    assert integrity == "ok"
    assert count >= intake.acknowledged


def test_a_killed_watcher_is_started_again(initialised, tmp_path):
    server = start_server(initialised, tmp_path)

    def watchers() -> list[int]:
        return [p for p in children(server.process.pid) if "tropa.cli watch" in command_of(p)]

    until(lambda: len(watchers()) == 1, "the watcher runs")
    first = watchers()[0]
    os.kill(first, signal.SIGKILL)
    # One listing per check: a process may come or go between two of them
    until(lambda: any(pid != first for pid in watchers()), "a new watcher runs")
    assert server.stop() == 0
    assert "watcher exited" in server.output()
    assert not alive(first)


@pytest.mark.django_db(transaction=True)
def test_serve_forks_its_workers_with_no_database_connection_open(monkeypatch):
    """SQLite forbids a connection across fork(): the migrations' one is closed first."""
    from django.contrib.sessions.models import Session
    from django.db import connections

    from tropa.cli import server as cli_server

    seen: dict[str, object] = {}

    class Recording:
        def __init__(self, options):
            seen["hooks"] = (options["pre_fork"], options["post_fork"])

        def run(self):
            seen["open"] = [c.alias for c in connections.all() if c.connection is not None]

    Session.objects.exists()  # as `serve` does after its migrations: a connection is open
    assert connections["default"].connection is not None
    monkeypatch.setattr(cli_server, "TropaServer", Recording)
    monkeypatch.setattr(cli_server, "wait_for_port", lambda bind: True)
    monkeypatch.setattr(cli_server, "_helper", lambda command: FakeHelper())

    assert cli_server.serve("127.0.0.1:1", workers=1, threads=1, with_watcher=True) == 0
    assert seen["open"] == []
    # And gunicorn closes them again before every fork, and ties workers to the master.
    assert seen["hooks"] == (cli_server._pre_fork, cli_server._post_fork)


class FakeHelper:
    def poll(self):
        return None

    def terminate(self):
        pass

    def wait(self, timeout=None):
        return 0


def test_a_helper_that_exits_is_started_again(monkeypatch):
    from tropa.cli import server as cli_server

    started: list[str] = []

    class Exited(FakeHelper):
        def poll(self):
            return 1

    def helper(command):
        started.append(command)
        return Exited() if len(started) == 1 else FakeHelper()

    monkeypatch.setattr(cli_server, "_helper", helper)
    supervisor = cli_server.Supervisor({"watcher": "watch"})
    assert supervisor.check() == ["watcher"]
    assert supervisor.check() == []
    assert started == ["watch", "watch"]
