"""Whether surge mode is on: read by the public pages and the bot (one small
row; switched by coordinators in tropa/cases/surge.py)."""

from __future__ import annotations

from tropa.core.models import Surge


def current() -> Surge:
    """The row, or an unsaved "off" one before anyone ever switched it."""
    return Surge.objects.filter(pk=1).first() or Surge(pk=1)


def short_questionnaire() -> bool:
    state = current()
    return state.on and state.short_questionnaire


def own_words(language: str) -> str:
    """The helpline's words on the self-help page, in this language, or ""."""
    text = current().self_help.get(language, "")
    return text if isinstance(text, str) else ""
