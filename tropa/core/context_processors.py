from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from tropa.core import languages
from tropa.core.heartbeats import WATCHER, stale_loops
from tropa.core.models import Heartbeat

__all__ = ["WATCHER", "tropa", "watcher_is_down"]


def watcher_is_down() -> bool:
    age = Heartbeat.age_seconds(WATCHER)
    return age is None or age > settings.TROPA_WATCHER_STALE_SECONDS


def tropa(request: HttpRequest) -> dict[str, object]:
    language = languages.current()
    context: dict[str, object] = {
        "tropa_demo": settings.TROPA_DEMO,
        "requester_languages": languages.REQUESTER,
        "staff_languages": [s for s in languages.REQUESTER if s.code in languages.STAFF],
        "language_rtl": bool(getattr(languages.spoken(language), "rtl", False)),
        "language_unreviewed": not languages.reviewed(language),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_verified():
        stale = stale_loops()
        context["watcher_down"] = next((s for s in stale if s.loop.name == WATCHER), None)
        context["loops_down"] = [s for s in stale if s.loop.name != WATCHER]
    return context
