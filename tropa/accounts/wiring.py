"""Where accounts plug into lower apps: a signed-in person's language choice,
and the admin's and analyst's home blocks."""

from __future__ import annotations

from typing import Any

from tropa.accounts import actions, backups, handover
from tropa.accounts import home as accounts_home
from tropa.accounts.models import Staff
from tropa.core import home, languages, watch
from tropa.core.language import LANGUAGE_CHOSEN


def _keep_language(user: Any, language: str) -> None:
    if isinstance(user, Staff) and language in languages.STAFF:
        actions.set_language(user, language)


def connect() -> None:
    LANGUAGE_CHOSEN.register(_keep_language)
    home.PROVIDERS.register(accounts_home.provide)
    watch.JOBS.register(backups.scheduled)
    watch.JOBS.register(handover.shred_old)
