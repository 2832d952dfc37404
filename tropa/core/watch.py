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
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections

from tropa.core.context_processors import WATCHER
from tropa.core.models import Heartbeat
from tropa.core.registry import Registry

log = logging.getLogger("tropa.watch")

# Jobs are functions that do one bounded pass of work and return how many items
# they handled. Each app registers its own from its wiring module. Delivery
# jobs run after all the others in every cycle, so that what a job queued (an
# alert raised this cycle) goes out in the same cycle.
JOBS: Registry[Callable[[], int]] = Registry("watcher jobs")
DELIVERY_JOBS: Registry[Callable[[], int]] = Registry("watcher delivery jobs")


def run_cycle() -> int:
    handled = 0
    for job in [*JOBS, *DELIVERY_JOBS]:
        try:
            handled += job()
        except Exception:
            log.exception("watcher job %s failed; the next cycle retries", job.__name__)
    Heartbeat.beat(WATCHER)
    return handled


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
    while not stop.is_set():
        close_old_connections()
        run_cycle()
        stop.wait(interval)
    close_old_connections()
