"""Group commit on SQLite: the production write path of every intake.

The suite runs with it switched off (tests run inside one transaction); these
tests switch it on against the real test database file and drive it from
several threads, as gunicorn's threads do.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

from tropa.core import clock, groupcommit
from tropa.core.models import UsedBrowserValue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="group commit is SQLite's"),
]


@pytest.fixture
def on(settings, monkeypatch):
    """Group commit switched on, with every batch's size recorded."""
    settings.TROPA_GROUP_COMMIT = True
    sizes: list[int] = []
    real = groupcommit._write

    def recording(batch):
        sizes.append(len(batch))
        real(batch)

    monkeypatch.setattr(groupcommit, "_write", recording)
    yield sizes


def row(key: str):
    def write() -> str:
        UsedBrowserValue.objects.create(key=key, expires_at=clock.now() + timedelta(hours=1))
        return key

    return write


def in_threads(*fns):
    """Run each fn through group commit on its own thread; results or errors, in order."""
    out: list[object] = [None] * len(fns)

    def call(i, fn):
        try:
            out[i] = groupcommit.run(fn)
        except Exception as error:  # noqa: BLE001 - the test looks at it
            out[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(i, fn)) for i, fn in enumerate(fns)]
    for thread in threads:
        thread.start()
    return threads, out


def hold_the_writer():
    """A first write that keeps the writer busy until released, so the next
    writes queue up and go together in one batch."""
    started, release = threading.Event(), threading.Event()

    def gate() -> str:
        started.set()
        assert release.wait(10)
        return "gate"

    threads, out = in_threads(gate)
    assert started.wait(10)
    return release, threads


def wait_until_queued(count: int) -> None:
    for _attempt in range(1000):
        if groupcommit._queue.qsize() >= count:
            return
        threading.Event().wait(0.005)  # yields to the writer; bounded, not a sleep-and-hope
    raise AssertionError("the writes never reached the queue")


def test_two_writer_threads_share_one_commit_and_each_gets_its_own_result(on):
    release, gate = hold_the_writer()
    threads, results = in_threads(row("first"), row("second"))
    wait_until_queued(2)
    release.set()
    for thread in [*gate, *threads]:
        thread.join(10)

    assert results == ["first", "second"]
    assert set(UsedBrowserValue.objects.values_list("key", flat=True)) == {"first", "second"}
    assert on == [1, 2]  # the gate alone, then both writes in one transaction


def test_a_failing_write_fails_only_its_own_request(on):
    def broken() -> None:
        UsedBrowserValue.objects.create(key="half", expires_at=clock.now())
        raise ValueError("bad input")

    release, gate = hold_the_writer()
    threads, results = in_threads(row("kept"), broken)
    wait_until_queued(2)
    release.set()
    for thread in [*gate, *threads]:
        thread.join(10)

    assert results[0] == "kept"
    assert isinstance(results[1], ValueError)
    # Its savepoint rolled back: nothing half-stored, the neighbour committed.
    assert list(UsedBrowserValue.objects.values_list("key", flat=True)) == ["kept"]


def test_a_crash_between_batch_and_commit_stores_nothing_and_tells_every_request(on, monkeypatch):
    armed = threading.Event()
    real_commit = BaseDatabaseWrapper.commit

    def commit(self):
        if armed.is_set():  # the batch below ran its writes: fail its commit
            armed.clear()
            raise DatabaseError("disk I/O error")
        return real_commit(self)

    def doomed(key: str):
        def write() -> str:
            row(key)()
            armed.set()
            return key

        return write

    monkeypatch.setattr(BaseDatabaseWrapper, "commit", commit)
    release, gate = hold_the_writer()
    threads, results = in_threads(doomed("lost-1"), doomed("lost-2"))
    wait_until_queued(2)
    release.set()
    for thread in [*gate, *threads]:
        thread.join(10)

    # Both requests hear of the failure (and answer 503 with what was typed);
    # neither write is in the database.
    assert all(isinstance(result, DatabaseError) for result in results), results
    assert not UsedBrowserValue.objects.filter(key__startswith="lost").exists()

    # The writer recovers on a fresh connection: the next write is stored.
    after_threads, after = in_threads(row("after"))
    for thread in after_threads:
        thread.join(10)
    assert after == ["after"]
    assert UsedBrowserValue.objects.filter(key="after").exists()


def test_a_write_inside_a_transaction_runs_at_once_in_the_caller(on):
    from django.db import transaction

    with transaction.atomic():
        assert groupcommit.run(row("inline")) == "inline"
    assert on == []
    assert UsedBrowserValue.objects.filter(key="inline").exists()
