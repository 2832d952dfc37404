from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from tropa.core.models import Heartbeat

WATCHER = "watcher"


def watcher_is_down() -> bool:
    age = Heartbeat.age_seconds(WATCHER)
    return age is None or age > settings.TROPA_WATCHER_STALE_SECONDS


def tropa(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {"tropa_demo": settings.TROPA_DEMO}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_verified():
        context["watcher_down"] = watcher_is_down()
    return context
