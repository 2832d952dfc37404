"""Where the audit log plugs into lower apps: the watcher's summarising job."""

from __future__ import annotations

from tropa.audit import anchors
from tropa.core import watch


def connect() -> None:
    watch.JOBS.register(anchors.summarise_old)
