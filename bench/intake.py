"""Load generator for the intake form: submissions per second under concurrency.

Starts its own `tropa init` + `tropa serve` on a free loopback port (or uses
--url), then for --seconds runs K concurrent clients that post complete,
valid submissions, and afterwards the same K clients fetching a trivial page
(the start page) for the same time, and prints for both: requests per second,
p50 and p99 latency, errors; and the ratio. Bounded in time and count; only
loopback. A figure, not a pass/fail test.

    python bench/intake.py [--clients 64] [--seconds 15] [--workers 2 --threads 8]
    python bench/intake.py --surge     # surge mode on: the short questionnaire,
                                       # the start page with the self-help words
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
STORY = (
    "Мне пришла повестка, явиться через неделю. Работаю в Казани, загранпаспорт есть. "
    "Боюсь, что на границе остановят. Что делать? "
) * 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    workers: int, threads: int, database_url: str = "", surge: bool = False
) -> tuple[subprocess.Popen[bytes], str, Path]:
    data = Path(tempfile.mkdtemp(prefix="tropa-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TROPA_", "DJANGO_"))}
    env["TROPA_KDF"] = "interactive"
    if database_url:
        env["TROPA_DATABASE_URL"] = database_url
    subprocess.run(
        [sys.executable, "-m", "tropa", "init", "--data", str(data)],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    if surge:
        subprocess.run(
            [sys.executable, "-m", "tropa", "surge", "on", "--data", str(data)],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tropa",
            "serve",
            "--data",
            str(data),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"127.0.0.1:{port}", data
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("server did not start")


def server_cpu(server: subprocess.Popen[bytes] | None) -> float:
    """CPU seconds used so far by the server and its worker processes (Linux /proc)."""
    if server is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == server.pid or ppid == server.pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class Client:
    """One keep-alive HTTP/1.1 connection speaking just enough HTTP."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, dict[str, list[str]], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.lower(), []).append(value.strip())
        length = int(headers.get("content-length", ["0"])[0])
        body = await self.reader.readexactly(length) if length else b""
        if headers.get("connection", [""])[0].lower() == "close":
            self.writer.close()
            self.writer = None
        return status, headers, body


def get(host: str, path: str, cookie: str = "") -> bytes:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()


def post(host: str, path: str, body: bytes, cookie: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
        f"Origin: http://{host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def run(
    address: str, clients: int, seconds: float, make: str, surge: bool = False
) -> dict[str, float]:
    host, port = address.split(":")
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def one() -> None:
        nonlocal errors
        client = Client(host, int(port))
        status, headers, body = await client.request(get(address, "/request/"))
        cookie = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("tropa_csrf"))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert token is not None
        fields = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "situation": "summons",
            "region": "tatarstan",
            "report_by": "01.12.2026",
            "documents": "foreign_passport",
            "russian": "native",
            "story": STORY,
        }
        if surge:  # the short form: what triage needs, as the page sent it
            assert b'name="short" value="1"' in body
            del fields["documents"]
            fields["short"] = "1"
        form = urlencode(fields).encode()
        raw = post(address, "/request/", form, cookie) if make == "submit" else get(address, "/")
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, _headers, _body = await client.request(raw)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                client = Client(host, int(port))
                continue
            latencies.append(time.perf_counter() - started)
            expected = 302 if make == "submit" else 200
            if status != expected:
                errors += 1

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(clients)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0,
        "errors": errors,
        "count": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="host:port of a running tropa serve (default: start one)")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--database",
        default="",
        help="postgresql://... for the started server (an empty database: it is migrated)",
    )
    parser.add_argument(
        "--surge", action="store_true", help="surge mode on (tropa surge on) before the run"
    )
    args = parser.parse_args()
    server = None
    if args.url:
        address = args.url.removeprefix("http://").rstrip("/")
    else:
        server, address, data = start_server(args.workers, args.threads, args.database, args.surge)
        print(f"server: tropa serve --workers {args.workers} --threads {args.threads}, data {data}")
    try:
        cpu0 = server_cpu(server)
        submit = asyncio.run(run(address, args.clients, args.seconds, "submit", args.surge))
        cpu1 = server_cpu(server)
        trivial = asyncio.run(run(address, args.clients, args.seconds, "trivial"))
        cpu2 = server_cpu(server)
        if server is not None:
            submit["cpu_ms"] = (cpu1 - cpu0) / max(submit["count"], 1) * 1000
            trivial["cpu_ms"] = (cpu2 - cpu1) / max(trivial["count"], 1) * 1000
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    mode = ", surge mode on" if args.surge else ""
    print(
        f"{args.clients} clients, {args.seconds:.0f} s each, {os.cpu_count()} cores, loopback{mode}"
    )
    for name, r in (("submissions", submit), ("trivial page", trivial)):
        cpu = f"  server CPU {r['cpu_ms']:.2f} ms/request" if "cpu_ms" in r else ""
        print(
            f"  {name:<12} {r['rate']:7.1f}/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
            f"  errors {r['errors']:.0f}  ({r['count']:.0f} requests){cpu}"
        )
    print(f"  ratio submissions / trivial: {submit['rate'] / trivial['rate']:.2f}")


if __name__ == "__main__":
    main()
