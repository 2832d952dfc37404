"""Where applications plug into lower apps: the case page's block, the
timeline's words for their events, and the staff home."""

from __future__ import annotations

from django.db.models.signals import post_migrate

from tropa.assistance import actions, deadlines, home, queries, referrals
from tropa.assistance.events import RENDERERS
from tropa.cases import events, hooks, page
from tropa.core import home as core_home
from tropa.core import watch
from tropa.journeys import hooks as journey_hooks


def connect() -> None:
    page.SECTIONS.register(queries.case_section)
    page.SECTIONS.register(queries.legal_section)
    core_home.PROVIDERS.register(home.provide_deadlines)
    core_home.PROVIDERS.register(home.provide_directory)
    watch.JOBS.register(referrals.follow_up_psychological_support)
    journey_hooks.LEG_FILTERS.register("point", queries.legs_through)
    post_migrate.connect(_defaults, dispatch_uid="tropa.assistance.defaults")
    core_home.PROVIDERS.register(home.provide)
    hooks.OUTCOME_HINTS.register(actions.outcome_hint)
    for kind, render in RENDERERS.items():
        events.RENDERERS.register(kind, render)


def _defaults(sender: object, **kwargs: object) -> None:
    if getattr(sender, "label", "") == "assistance":
        deadlines.ensure_defaults()
