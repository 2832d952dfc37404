"""`tropa serve`: the real server, in its own process, as a helpline runs it."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import pytest

from tropa.testing.cli import (
    MARKER_ADDRESS,
    MARKER_AGENT,
    STARTUP_SECONDS,
    Initialised,
    Server,
    get,
    init,
    snapshot,
    start_server,
    tropa,
    visit_as_marked_client,
)


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Initialised:
    return init(tmp_path_factory.mktemp("serve") / "data")


@pytest.fixture(scope="module")
def server(initialised, tmp_path_factory) -> Iterator[Server]:
    """One running server for the tests that only make requests."""
    running = start_server(initialised, tmp_path_factory.mktemp("serve-logs"))
    yield running
    running.stop()


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


def raw(server: Server, request: bytes) -> bytes:
    """Send bytes as they are (no client library would send these) and read the answer."""
    import socket

    chunks = []
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        try:
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server refused an oversized body before it all arrived
            pass
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # and closed: its answer came first
            pass
    return b"".join(chunks)


def test_it_logs_no_part_of_a_malformed_request(initialised, tmp_path):
    """A bad Host, a broken request line, oversized headers and bodies: refused,
    and the log says so in one short line a minute, quoting nothing of them."""
    own = start_server(initialised, tmp_path)
    host, line, header, body = "zq-host-marker.example", "zq-line-marker", "Zq-Head-Marker", "zq-b"
    try:
        answers = [
            raw(own, f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()),
            raw(own, f"GET / HTTP/1.1\r\nHost: {MARKER_ADDRESS}\r\n\r\n".encode()),
            raw(own, f"GET /\x01{line} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()),
            raw(own, f"{line} /\r\n\r\n".encode()),
            raw(
                own,
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + b"".join(f"{header}-{i}: x\r\n".encode() for i in range(150))
                + b"\r\n",
            ),
        ]
        big = (body * 200_000).encode()
        for _ in range(5):
            answers.append(
                raw(
                    own,
                    b"POST /request/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    + f"Content-Length: {len(big) + 6}\r\n\r\nstory=".encode()
                    + big,
                ),
            )
    finally:
        assert own.stop() == 0
    assert all(answer.split(b" ", 2)[1][:1] == b"4" for answer in answers), [
        a[:40] for a in answers
    ]
    output = own.output()
    for marker in (host, MARKER_ADDRESS, line, header, "zq-bzq-b", "Traceback"):
        assert marker not in output, marker
    # Refusals are counted, not written out one by one.
    assert output.count("refused a request") <= 4, output
