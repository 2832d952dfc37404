"""Group commit for SQLite: many requests' writes, one transaction, one fsync.

SQLite lets one writer in at a time and, with synchronous=FULL (what makes an
acknowledged write survive power loss), pays an fsync per commit. Under a
flood of intake requests, threads queueing on SQLite's lock (which sleeps and
retries) became the limit. Here each web process has one writer thread: a
request thread hands it a function and waits; the writer runs every function
waiting at that moment inside one transaction, each in its own savepoint, and
commits once. A request is answered only after its commit: durability is
unchanged, and a failure reaches exactly the request it belongs to.

PostgreSQL needs none of this (it commits concurrently and groups its own
WAL flushes): there, and in tests, functions run directly in the caller.
"""

from __future__ import annotations

import fcntl
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger("tropa.groupcommit")
T = TypeVar("T")
MAX_BATCH = 64


@dataclass
class _Work:
    fn: Callable[[], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


_queue: queue.SimpleQueue[_Work] = queue.SimpleQueue()
_writer: threading.Thread | None = None
_writer_lock = threading.Lock()


def enabled() -> bool:
    return bool(settings.TROPA_GROUP_COMMIT) and connection.vendor == "sqlite"


def run(fn: Callable[[], T]) -> T:
    """Run `fn` in a committed transaction and return its result (or raise its error)."""
    if not enabled() or connection.in_atomic_block:
        with transaction.atomic():
            return fn()
    _ensure_writer()
    work = _Work(fn)
    _queue.put(work)
    work.done.wait()
    if work.error is not None:
        raise work.error
    return work.result  # type: ignore[no-any-return]


def _ensure_writer() -> None:
    global _writer
    with _writer_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_forever, name="tropa-writer", daemon=True)
            _writer.start()


def _write_forever() -> None:
    while True:
        batch = [_queue.get()]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        _write(batch)


@contextmanager
def _between_processes() -> Iterator[None]:
    """Take turns with the other web processes through a kernel file lock.

    SQLite would make a second writer sleep and retry (1 ms, 2 ms, 5 ms, ...
    up to 100 ms) and could starve one process under load; a blocking flock
    wakes the next writer as soon as the lock is free.
    """
    global _lock_file
    if _lock_file is None:
        path = Path(settings.DATABASES["default"]["NAME"]).with_suffix(".writelock")
        _lock_file = open(path, "a+b")  # noqa: SIM115 - held for the life of the process
    fcntl.flock(_lock_file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_lock_file, fcntl.LOCK_UN)


_lock_file: IO[bytes] | None = None


def _write(batch: list[_Work]) -> None:
    try:
        with _between_processes(), transaction.atomic():
            for work in batch:
                try:
                    with transaction.atomic():
                        work.result = work.fn()
                except Exception as error:  # noqa: BLE001 - handed to its own request
                    work.error = error
    except Exception as error:  # the commit itself failed: nobody's write is stored
        log.exception("group commit of %d writes failed", len(batch))
        for work in batch:
            if work.error is None:
                work.error = error
        connection.close()
    finally:
        for work in batch:
            work.done.set()
