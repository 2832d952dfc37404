"""The one clock Tropa reads, so tests can move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone

_offset = timedelta(0)


def now() -> datetime:
    """Aware current time, shifted when a test has moved the clock."""
    return timezone.now() + _offset


@contextmanager
def moved(by: timedelta) -> Iterator[None]:
    """Tests: run the block with the clock moved forward (or back) by `by`."""
    global _offset
    previous = _offset
    _offset = previous + by
    try:
        yield
    finally:
        _offset = previous


def to_minute(moment: datetime) -> datetime:
    """Down to the minute: how precisely a requester's message or check-in is kept."""
    return moment.replace(second=0, microsecond=0)


def to_hour(moment: datetime) -> datetime:
    """Down to the hour: how precisely a request's arrival is kept."""
    return moment.replace(minute=0, second=0, microsecond=0)


def now_to_minute() -> datetime:
    """The current time down to the minute (a default for coarse fields)."""
    return to_minute(now())


def up_to_hour(moment: datetime) -> datetime:
    """Up to the next whole hour (an expiry kept coarse must not come early)."""
    floor = to_hour(moment)
    return floor if floor == moment else floor + timedelta(hours=1)
