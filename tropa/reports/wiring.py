"""Where the statistics plug into lower apps: the staff home."""

from __future__ import annotations

from tropa.core import home as core_home
from tropa.reports import home


def connect() -> None:
    core_home.PROVIDERS.register(home.provide)
