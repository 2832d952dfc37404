"""`tropa serve`: gunicorn (threads) for the web, with the watcher and the bot beside it.

What a crash must not do here, and how it is prevented:
- No database connection crosses a fork. The master runs the migrations and
  then closes every connection before gunicorn forks its workers (SQLite
  forbids carrying a connection across fork(): a child that closes an
  inherited WAL connection can checkpoint and truncate the log under the other
  processes, which corrupted the database when only the master was killed).
- Workers and helpers die with the master. Each asks the kernel for SIGTERM
  when its parent dies (PR_SET_PDEATHSIG), so a `kill -9` of the master leaves
  no orphan serving on the old socket; SIGTERM lets a request in hand finish.
- A restart waits for the port. If an earlier server's processes still hold
  it, `serve` says so and waits, instead of failing five times and exiting.
- The watcher and the bot are supervised: if one exits, it is started again
  with back-off (1 s doubling to a minute), and the log says so.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from tropa.core.logging import Refusals, StripAddresses


class AddresslessLogger(Logger):
    """Gunicorn's logger with the access log off, addresses stripped from errors,
    and malformed requests refused in one short line a minute that quotes nothing."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        refusals = Refusals()
        for handler in self.error_log.handlers:
            handler.addFilter(refusals)
            handler.addFilter(StripAddresses())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


class TropaServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from tropa.wsgi import application

        return application


log = logging.getLogger("tropa")
PR_SET_PDEATHSIG = 1
PARENT_ENV = "TROPA_PARENT_PID"
PORT_WAIT_SECONDS = 60
MAX_RESTART_DELAY = 60.0


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel for SIGTERM when the parent dies (Linux); if it already has, go now."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: orphans fall back on gunicorn's own check
        pass
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


def _pre_fork(server: Any, worker: Any) -> None:
    """In the master, before each fork: no connection may be inherited."""
    _close_connections()


def _post_fork(server: Any, worker: Any) -> None:
    die_with_parent(server.pid)


def server_options(bind: str, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": None,
        "disable_redirect_access_to_syslog": True,
        "errorlog": "-",
        "loglevel": "warning",
        "logger_class": AddresslessLogger,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "proc_name": "tropa",
        "forwarded_allow_ips": "",
        "pre_fork": _pre_fork,
        "post_fork": _post_fork,
    }


def _helper(command: str) -> subprocess.Popen[bytes]:
    env = os.environ.copy()
    env[PARENT_ENV] = str(os.getpid())  # the helper dies with this process
    return subprocess.Popen([sys.executable, "-m", "tropa.cli", command], env=env)  # noqa: S603


class Supervisor:
    """Keeps the watcher (and the bot) running beside the web server."""

    def __init__(self, commands: dict[str, str]) -> None:
        self.commands = commands
        self.processes = {name: _helper(command) for name, command in commands.items()}
        self.delays = dict.fromkeys(commands, 1.0)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="tropa-supervisor", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def check(self) -> list[str]:
        """Start again whatever exited; the names of those restarted."""
        restarted = []
        for name, process in self.processes.items():
            code = process.poll()
            if code is None or self.stopping.is_set():
                continue
            log.error("%s exited (code %s); starting it again", name, code)
            self.processes[name] = _helper(self.commands[name])
            restarted.append(name)
        return restarted

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            for name in self.check():
                # Back off a helper that keeps dying, so a broken one cannot spin.
                self.stopping.wait(self.delays[name])
                self.delays[name] = min(self.delays[name] * 2, MAX_RESTART_DELAY)

    def stop(self) -> None:
        self.stopping.set()
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for name, process in self.processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                log.error("%s did not stop; killed", name)


def wait_for_port(bind: str, seconds: float = PORT_WAIT_SECONDS) -> bool:
    """Whether `bind` is free, waiting (and saying so) while another process holds it."""
    host, _, port = bind.rpartition(":")
    deadline = time.monotonic() + seconds
    said = False
    while True:
        with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host.strip("[]"), int(port)))
                return True
            except OSError as error:
                if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                    return False
        if not said:
            print(
                f"tropa: {bind} is still in use (an earlier Tropa's processes finishing "
                f"their requests?); waiting up to {int(seconds)} s",
                file=sys.stderr,
                flush=True,
            )
            said = True
        time.sleep(0.5)


def serve(bind: str, workers: int, threads: int, with_watcher: bool) -> int:
    """The web server, with the watcher and (when a token is set) the Telegram bot beside it."""
    from django.conf import settings

    _close_connections()  # the migrations' connection must not reach the workers
    if not wait_for_port(bind):
        print(f"tropa: {bind} is in use by another program; not starting", file=sys.stderr)
        return 1
    commands = {}
    if with_watcher:
        commands["watcher"] = "watch"
        if settings.TROPA_TELEGRAM_TOKEN:
            commands["telegram bot"] = "telegram"
    supervisor = Supervisor(commands)
    supervisor.start()
    try:
        TropaServer(server_options(bind, workers, threads)).run()
    finally:
        supervisor.stop()
    return 0
