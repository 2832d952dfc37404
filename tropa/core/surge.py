"""Whether surge mode is on: read by the public pages and the bot (one small
row; switched by coordinators in tropa/cases/surge.py).

The start page made no database query before surge mode existed; opening a
connection for one would double its cost (bench/intake.py). So each process
keeps what it read for TROPA_SURGE_CACHE_SECONDS (5): a switch reaches every
process within that time, and at once in the process that made it.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

from tropa.core.models import Surge

_lock = threading.Lock()
_seen: tuple[float, Surge] | None = None


def current() -> Surge:
    """The row, or an unsaved "off" one before anyone ever switched it."""
    global _seen
    ttl = settings.TROPA_SURGE_CACHE_SECONDS
    now = time.monotonic()
    with _lock:
        if _seen is not None and now - _seen[0] < ttl:
            return _seen[1]
    state = Surge.objects.filter(pk=1).first() or Surge(pk=1)
    with _lock:
        _seen = (now, state)
    return state


def forget() -> None:
    """The state changed in this process: read it again next time."""
    global _seen
    with _lock:
        _seen = None


def short_questionnaire() -> bool:
    state = current()
    return state.on and state.short_questionnaire


def own_words(language: str) -> str:
    """The helpline's words on the self-help page, in this language, or ""."""
    text = current().self_help.get(language, "")
    return text if isinstance(text, str) else ""
