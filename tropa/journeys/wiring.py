"""Where journeys plug into lower apps: the watcher's escalation jobs and the
journey section of the case page."""

from __future__ import annotations

from tropa.cases import page
from tropa.core import watch
from tropa.journeys import escalation, queries


def connect() -> None:
    watch.JOBS.register(escalation.raise_missed_checkins)
    watch.JOBS.register(escalation.escalate_alerts)
    page.SECTIONS.register(queries.journey_context)
