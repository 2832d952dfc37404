"""Where cases plug into lower apps: the watcher's case jobs, and the
renderers of the timeline events cases records."""

from __future__ import annotations

from tropa.cases import actions, events, triage
from tropa.core import watch


def connect() -> None:
    watch.JOBS.register(triage.shred_discarded)
    watch.JOBS.register(actions.notify_due_tasks)
    events.register_case_events()
