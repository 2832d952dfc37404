"""Running the real `tropa` command in tests: environment, init, snapshots."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tropa import vault

WORDS_ADMIN_KEEPS = 24


NOT_AN_ADMINS_SHELL = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def tropa_env(**extra: str) -> dict[str, str]:
    """The environment of an admin's shell: no test secrets, no test settings.

    Every TROPA_* variable of the test run (its fixed secrets, its data
    directory, a PostgreSQL URL) and DJANGO_SETTINGS_MODULE are removed, so the
    process finds its secrets and its SQLite database in its own --data. So is
    DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set and `tropa check`
    rightly refuses.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TROPA_") and key not in NOT_AN_ADMINS_SHELL
    }
    # Staff keys are wrapped with Argon2id; the default "moderate" limits spend
    # about a second and 256 MiB per account. "interactive" keeps each command
    # quick while running the very same code path.
    env["TROPA_KDF"] = "interactive"
    env.update(extra)
    return env


def tropa(
    command: str,
    *args: str,
    data: Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `tropa <command> --data <data> <args>` and return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "tropa.cli", command, "--data", str(data), *args],
        env=env or tropa_env(),
        cwd=data.parent,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def django_eval(data: Path, code: str, **env: str) -> str:
    """Run Python with Django set up on `data` (`tropa manage shell -c`); return stdout."""
    done = tropa("manage", "shell", "-c", code, data=data, env=tropa_env(**env))
    assert done.returncode == 0, done.stderr
    return done.stdout


def sql(data: Path, query: str, *params: object) -> list[tuple]:
    with sqlite3.connect(data / "tropa.sqlite3") as db:
        rows = db.execute(query, params).fetchall()
    db.close()
    return rows


def snapshot(data: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `data` with its mode and bytes."""
    return {
        str(path.relative_to(data)): (path.stat().st_mode, path.read_bytes())
        for path in sorted(data.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class Initialised:
    data: Path
    words: list[str]
    password: str
    stdout: str

    @property
    def recovery(self) -> vault.KeyPair:
        return vault.recovery_key_from_words(self.words)


def parse_words(stdout: str) -> list[str]:
    sheet = stdout.split("First admin:")[0]
    numbered = {int(n): word for n, word in re.findall(r"\b(\d{1,2})\. +([a-z]+)\b", sheet)}
    return [numbered[n] for n in sorted(numbered)]


def parse_password(stdout: str) -> str:
    match = re.search(r"Temporary password \([^)]*\): (\S+)", stdout)
    assert match, stdout
    return match.group(1)


def init(data: Path) -> Initialised:
    done = tropa("init", data=data)
    assert done.returncode == 0, done.stderr
    return Initialised(data, parse_words(done.stdout), parse_password(done.stdout), done.stdout)


def no_secret_message(stderr: str) -> None:
    assert "TROPA_SECRET_KEY" in stderr
    assert "tropa init" in stderr
    assert "Traceback" not in stderr


NEEDS_INTAKE = (
    "from tropa.accounts.models import Staff\n"
    "from tropa.accounts.keys import needs_intake_grant\n"
    "print('NEEDS', needs_intake_grant(Staff.objects.get(username='olga')))\n"
)


def a_word_that_breaks_the_checksum(words: list[str]) -> list[str]:
    for candidate in ("abandon", "ability", "able", "about", "above"):
        changed = [candidate, *words[1:]]
        try:
            vault.recovery_key_from_words(changed)
        except vault.BadRecoveryWords:
            return changed
    raise AssertionError("no candidate broke the checksum")


def envelopes(data: Path) -> int:
    return sql(data, "SELECT count(*) FROM keyring_envelope")[0][0]


MARKER_ADDRESS = "198.51.100.23"  # TEST-NET-2: an address no real client has


MARKER_AGENT = "MarkerAgent/1.0"


MARKERS = {"X-Forwarded-For": MARKER_ADDRESS, "User-Agent": MARKER_AGENT}


STARTUP_SECONDS = 20


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    data: Path
    stdout: Path
    stderr: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.stdout.read_text(encoding="utf-8") + self.stderr.read_text(encoding="utf-8")

    def stop(self) -> int:
        """SIGTERM, as systemd sends it; the exit code, or a failure after 20 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail("tropa serve did not stop within 20 s of SIGTERM")


def launch_server(
    initialised: Initialised | Path,
    logs: Path,
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Server:
    """Start `tropa serve` on a free port (or `port`), without waiting for it."""
    data = initialised if isinstance(initialised, Path) else initialised.data
    port = port or unused_port()
    stdout, stderr = logs / "serve.out", logs / "serve.err"
    # Output goes to files outside the data directory: a pipe nobody reads
    # could fill up and stall the server, and the files are read afterwards.
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tropa.cli", "serve", "--bind", f"127.0.0.1:{port}"]
            + ["--data", str(data)],
            env=env or tropa_env(),
            cwd=logs,
            stdout=out,
            stderr=err,
        )
    return Server(process, port, data, stdout, stderr)


def listening(server: Server) -> None:
    """Raises OSError until the server's port accepts connections."""
    socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def await_server(server: Server, ready: Callable[[Server], None] = listening) -> Server:
    """Bounded wait for another process: until `ready` stops raising OSError."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.process.poll() is not None:
            code = server.process.returncode
            pytest.fail(f"tropa serve exited with {code}:\n{server.output()}")
        try:
            ready(server)
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                pytest.fail(f"tropa serve was not ready within 20 s:\n{server.output()}")
            time.sleep(0.05)


def start_server(initialised: Initialised, logs: Path, port: int | None = None) -> Server:
    """Start `tropa serve`; return once it accepts connections (the port itself:
    "Tropa is serving" is printed before gunicorn binds)."""
    return await_server(launch_server(initialised, logs, port))


def get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (local http)
    try:
        return urllib.request.urlopen(request, timeout=10)  # noqa: S310
    except urllib.error.HTTPError as error:
        return error


def visit_as_marked_client(url: str, initialised: Initialised) -> str:
    """Pages, a failed and a first sign-in, errors: all with marker headers.

    Returns the session key the server gave the signed-in client.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = list(MARKERS.items())

    def visit(path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with opener.open(url + path, data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    assert visit("/")[0] == 200
    assert visit("/static/tropa/tropa.css")[0] in (200, 404)
    assert visit("/no-such-page/")[0] == 404
    assert visit("/staff/")[0] == 200  # redirected to the sign-in page
    assert visit("/staff/login/", {"username": "admin", "password": "x"})[0] == 403  # no CSRF
    status, page = visit("/staff/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    wrong = {"csrfmiddlewaretoken": token.group(1), "username": "admin", "password": "wrong"}
    status, page = visit("/staff/login/", wrong)
    assert status == 200
    right = dict(wrong, password=initialised.password, code="")
    status, page = visit("/staff/login/", right)
    assert status == 200
    sessions = [cookie.value for cookie in jar if cookie.name == "tropa_session"]
    assert sessions and sessions[0], page
    return sessions[0]
