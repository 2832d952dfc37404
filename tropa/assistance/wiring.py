"""Where applications plug into lower apps: the case page's block, the
timeline's words for their events, and the staff home."""

from __future__ import annotations

from tropa.assistance import home, queries
from tropa.assistance.events import RENDERERS
from tropa.cases import events, page
from tropa.core import home as core_home


def connect() -> None:
    page.SECTIONS.register(queries.case_section)
    core_home.PROVIDERS.register(home.provide)
    for kind, render in RENDERERS.items():
        events.RENDERERS.register(kind, render)
