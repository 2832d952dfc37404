"""`tropa serve`: the real server, in its own process, as a helpline runs it."""

from __future__ import annotations

import http.cookiejar
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tropa.core.tests.test_cli import Initialised, init, snapshot, tropa, tropa_env

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


def start_server(initialised: Initialised, logs: Path) -> Server:
    """Start `tropa serve` on a free port; return once it accepts connections."""
    port = unused_port()
    stdout, stderr = logs / "serve.out", logs / "serve.err"
    # Output goes to files outside the data directory: a pipe nobody reads
    # could fill up and stall the server, and the files are read afterwards.
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tropa.cli", "serve", "--bind", f"127.0.0.1:{port}"]
            + ["--data", str(initialised.data)],
            env=tropa_env(),
            cwd=logs,
            stdout=out,
            stderr=err,
        )
    server = Server(process, port, initialised.data, stdout, stderr)
    # Bounded wait for another process to bind its port: "Tropa is serving" is
    # printed before gunicorn binds, so the port itself is what to wait for.
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"tropa serve exited with {process.returncode}:\n{server.output()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                pytest.fail(f"tropa serve did not listen within 20 s:\n{server.output()}")
            time.sleep(0.05)


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Initialised:
    return init(tmp_path_factory.mktemp("serve") / "data")


@pytest.fixture(scope="module")
def server(initialised, tmp_path_factory) -> Iterator[Server]:
    """One running server for the tests that only make requests."""
    running = start_server(initialised, tmp_path_factory.mktemp("serve-logs"))
    yield running
    running.stop()


def get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (local http)
    try:
        return urllib.request.urlopen(request, timeout=10)  # noqa: S310
    except urllib.error.HTTPError as error:
        return error


def test_it_serves_the_public_page_with_strict_headers(server):
    with get(server.url + "/") as response:
        body = response.read().decode()
        headers = response.headers
    assert response.status == 200
    assert "<html" in body
    assert headers["Server"] == "gunicorn"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in headers["Cache-Control"]
    assert "Strict-Transport-Security" not in headers  # TLS is off by default


def test_it_serves_the_stylesheet_cacheable(server):
    with get(server.url + "/static/tropa/tropa.css") as response:
        body = response.read()
        headers = response.headers
    assert response.status == 200, "the stylesheet every page links to is missing"
    assert headers["Content-Type"].startswith("text/css")
    assert body
    assert "no-store" not in headers.get("Cache-Control", "")
    assert "max-age=" in headers["Cache-Control"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_it_answers_an_unknown_page_with_404_and_the_same_headers(server):
    with get(server.url + "/no-such-page/") as response:
        headers = response.headers
    assert response.status == 404
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]


def test_it_refuses_a_host_it_does_not_serve(server):
    with get(server.url + "/", {"Host": "evil.example"}) as response:
        pass
    assert response.status == 400


def test_it_runs_the_watcher_beside_the_web_server(server):
    # The watcher writes its first heartbeat as soon as it starts; poll `tropa
    # check` (another process) until it sees it, within a bound.
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        done = tropa("check", data=server.data)
        if "ok    watcher heartbeat fresh" in done.stdout:
            break
        assert time.monotonic() < deadline, done.stdout
        time.sleep(0.05)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[-1] == "all checks passed"


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


def test_it_writes_no_client_address_or_user_agent_anywhere(tmp_path):
    # Given a server of its own that served a marked client
    initialised = init(tmp_path / "data")
    running = start_server(initialised, tmp_path)
    try:
        session_key = visit_as_marked_client(running.url, initialised)
    finally:
        # When it is stopped as systemd stops it
        code = running.stop()
    # Then it stopped cleanly, the watcher beside it too
    assert code in (0, -signal.SIGTERM), running.output()
    output = running.output()
    assert "Tropa is serving on http://127.0.0.1:" in output
    assert "watcher stopping after this cycle" in output
    assert "watcher did not stop" not in output
    # And neither the client's address nor its browser is in any output or file
    files = snapshot(initialised.data)
    assert "tropa.sqlite3" in files
    places = {"server output": output.encode()} | {
        name: content for name, (_mode, content) in files.items()
    }
    for place, content in places.items():
        for marker in (MARKER_ADDRESS, MARKER_AGENT, "MarkerAgent"):
            assert marker.encode() not in content, f"{marker} found in {place}"
    # The search works: the session of that sign-in is found the same way.
    assert session_key.encode() in b"".join(places.values())
