"""Where cases plug into lower apps: the watcher's case jobs, and the
renderers of the timeline events cases records, and the case blocks of the
staff home, and the built-in labels after each migration."""

from __future__ import annotations

from django.db.models.signals import post_migrate

from tropa.accounts import duress
from tropa.cases import (
    actions,
    danger,
    events,
    home_danger,
    home_surge,
    labels,
    retention,
    surge,
    triage,
)
from tropa.cases import home as cases_home
from tropa.core import home, watch


def connect() -> None:
    retention.check_settings()
    watch.JOBS.register(triage.shred_discarded)
    watch.JOBS.register(retention.shred_due)
    watch.JOBS.register(surge.expire_volunteers)
    watch.JOBS.register(actions.notify_due_tasks)
    events.register_case_events()
    home.PROVIDERS.register(cases_home.provide)
    home.PROVIDERS.register(home_danger.provide)
    home.PROVIDERS.register(home_surge.provide)
    duress.DANGER.register(danger.on_duress)
    post_migrate.connect(_builtin_labels, dispatch_uid="tropa.cases.builtin_labels")


def _builtin_labels(sender: object, **kwargs: object) -> None:
    if getattr(sender, "label", "") == "cases":
        labels.ensure_builtin()
