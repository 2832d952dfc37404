"""Where applications plug into lower apps: the case page's block, the
timeline's words for their events, and the staff home."""

from __future__ import annotations

from tropa.assistance import actions, home, queries
from tropa.assistance.events import RENDERERS
from tropa.cases import events, hooks, page
from tropa.core import home as core_home


def connect() -> None:
    page.SECTIONS.register(queries.case_section)
    core_home.PROVIDERS.register(home.provide)
    hooks.OUTCOME_HINTS.register(actions.outcome_hint)
    for kind, render in RENDERERS.items():
        events.RENDERERS.register(kind, render)
