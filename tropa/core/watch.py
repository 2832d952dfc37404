"""The watcher loop: a management-command style loop, several copies safe at once.

Later issues give it work (missed check-ins, escalations, retention purges),
each claimed with a conditional UPDATE. Today it writes its heartbeat, which
every staff page and `tropa check` read: a watcher that silently stopped is the
worst failure a dead man's switch can have.
"""

from __future__ import annotations

import logging
import signal
import threading
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

from tropa.core.heartbeats import WATCHER
from tropa.core.models import Heartbeat
from tropa.core.registry import Registry

log = logging.getLogger("tropa.watch")

# Jobs are functions that do one bounded pass of work and return how many items
# they handled. Each app registers its own from its wiring module. Delivery
# jobs run after all the others in every cycle, so that what a job queued (an
# alert raised this cycle) goes out in the same cycle.
JOBS: Registry[Callable[[], int]] = Registry("watcher jobs")
DELIVERY_JOBS: Registry[Callable[[], int]] = Registry("watcher delivery jobs")


MAX_BACKOFF_SECONDS = 60.0


def _failed(what: str, error: BaseException) -> None:
    """Log a failure without its message: a database error's text can quote row values."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s failed (%s); retrying\n%s", what, type(error).__name__, frames)


def run_cycle() -> int:
    """One pass of every job, then the heartbeat. A failing job does not stop the
    others; a failure of the heartbeat itself (the database is gone) raises."""
    handled = 0
    for job in [*JOBS, *DELIVERY_JOBS]:
        try:
            handled += job()
        except Exception as error:  # noqa: BLE001 - the next cycle retries
            _failed(f"watcher job {job.__name__}", error)
    Heartbeat.beat(WATCHER)
    return handled


class Watcher:
    """The loop's state: how long to wait after each step, backing off on failure."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.failures = 0

    def step(self) -> float:
        """One cycle that survives any error; returns the seconds to wait before the next.

        A database that is away (restarting, cut off, locked by another writer
        for a minute) fails the cycle, heartbeat included. The connection is
        dropped, the wait doubles up to a minute, and the next cycle starts on a
        fresh connection. Every job claims its rows with a conditional UPDATE,
        so work interrupted by the outage is done once, after it.
        """
        close_old_connections()
        try:
            run_cycle()
        except Exception as error:  # noqa: BLE001 - a watcher that exits raises no alarms
            self.failures += 1
            _failed("watcher cycle", error)
            connections.close_all()
            return min(self.interval * 2**self.failures, MAX_BACKOFF_SECONDS)
        if self.failures:
            log.warning("watcher cycle succeeded again after %d failures", self.failures)
        self.failures = 0
        return self.interval


def run_forever(stop: threading.Event | None = None, interval: float | None = None) -> None:
    """Cycle until SIGTERM or SIGINT (or `stop` is set), finishing the cycle in hand."""
    stop = stop or threading.Event()
    interval = interval if interval is not None else settings.TROPA_WATCH_INTERVAL_SECONDS

    def _stop(signum: int, frame: object) -> None:
        log.info("watcher stopping after this cycle")
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    log.info("watcher running every %ss", interval)
    watcher = Watcher(interval)
    while not stop.is_set():
        stop.wait(watcher.step())
    close_old_connections()
