"""Where cases plug into lower apps: the watcher's case jobs, and the
renderers of the timeline events cases records, and the case blocks of the
staff home."""

from __future__ import annotations

from tropa.cases import actions, events, triage
from tropa.cases import home as cases_home
from tropa.core import home, watch


def connect() -> None:
    watch.JOBS.register(triage.shred_discarded)
    watch.JOBS.register(actions.notify_due_tasks)
    events.register_case_events()
    home.PROVIDERS.register(cases_home.provide)
