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
