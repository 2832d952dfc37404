"""Which background loops should be running, and which have stopped beating.

Each loop (the watcher, the Telegram bot when configured) records a heartbeat
every cycle (`Heartbeat.beat`). A loop whose heartbeat is older than
TROPA_WATCHER_STALE_SECONDS is down: every staff page says so in red
(tropa/core/context_processors.py), and the web process tells the duty
coordinators by e-mail once per outage (tropa/notify/watchdog.py), a path that
does not depend on the watcher it watches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.models import Heartbeat
from tropa.core.registry import Named

WATCHER = "watcher"


@dataclass(frozen=True)
class Loop:
    name: str
    label: Any  # a lazy translation
    expected: Callable[[], bool]


@dataclass(frozen=True)
class Stale:
    loop: Loop
    last_seen: datetime | None  # None: it never ran


LOOPS: Named[Loop] = Named("monitored loops")


def register_watcher() -> None:
    LOOPS.register(WATCHER, Loop(WATCHER, _("The watcher"), lambda: True))


def stale_loops() -> list[Stale]:
    """The loops that should run and whose heartbeat is missing or too old."""
    loops = [loop for _name, loop in LOOPS.items() if loop.expected()]
    if not loops:
        return []
    seen = dict(
        Heartbeat.objects.filter(name__in=[loop.name for loop in loops]).values_list(
            "name", "beat_at"
        )
    )
    limit = settings.TROPA_WATCHER_STALE_SECONDS
    now = clock.now()
    return [
        Stale(loop, seen.get(loop.name))
        for loop in loops
        if loop.name not in seen or (now - seen[loop.name]).total_seconds() > limit
    ]
