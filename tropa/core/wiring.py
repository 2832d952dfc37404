"""What core watches itself: the watcher's heartbeat."""

from __future__ import annotations

from tropa.core import heartbeats


def connect() -> None:
    heartbeats.register_watcher()
