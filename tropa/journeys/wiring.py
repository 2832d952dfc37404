"""Where journeys plug into lower apps: the watcher's escalation jobs and the
journey section of the case page, and how the timeline says a check-in."""

from __future__ import annotations

from tropa.cases import events, page
from tropa.core import home, watch
from tropa.journeys import escalation, queries
from tropa.journeys import home as journeys_home
from tropa.journeys.events import RENDERERS


def connect() -> None:
    watch.JOBS.register(escalation.raise_missed_checkins)
    watch.JOBS.register(escalation.escalate_alerts)
    page.SECTIONS.register(queries.journey_context)
    home.PROVIDERS.register(journeys_home.provide)
    for kind, render in RENDERERS.items():
        events.RENDERERS.register(kind, render)
