"""Monitor the monitor: when the watcher (or the bot) stops, tell someone.

The watcher delivers the outbox, so an outbox row cannot announce that the
watcher is dead. Instead the web process checks the heartbeats while staff use
it (`WatchdogMiddleware`, at most once a minute per process) and, the first
time it finds a loop down, e-mails the duty coordinators itself, through the
same e-mail notifier the outbox uses. Once per outage: a conditional UPDATE on
an alarm row records which last heartbeat was alarmed for, so several web
processes send one e-mail between them, and a loop that comes back and stops
again is alarmed for again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from tropa.accounts.models import Role, Staff, Team
from tropa.core import clock
from tropa.core.heartbeats import Stale, stale_loops
from tropa.core.models import Heartbeat
from tropa.notify.models import NotificationKind
from tropa.notify.notifiers import DeliveryFailed, EmailNotifier

log = logging.getLogger("tropa.notify")
CHECK_EVERY = timedelta(minutes=1)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def duty_people() -> list[Staff]:
    """Each team's duty coordinator; with none named anywhere, every coordinator."""
    duty = list(
        Staff.objects.filter(
            pk__in=Team.objects.exclude(duty_coordinator=None).values("duty_coordinator"),
            is_active=True,
        )
    )
    return duty or list(Staff.objects.filter(role=Role.COORDINATOR, is_active=True))


def _claim(stale: Stale) -> bool:
    """Whether this process is the one to announce this outage (once per outage)."""
    assert stale.last_seen is not None
    name = f"{stale.loop.name}-alarm"[:40]
    with transaction.atomic():
        Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": NEVER})
        return bool(
            Heartbeat.objects.filter(name=name)
            .exclude(beat_at=stale.last_seen)
            .update(beat_at=stale.last_seen)
        )


def alarm_if_stale() -> int:
    """E-mail the duty coordinators about each loop that stopped; how many were told."""
    told = 0
    for stale in stale_loops():
        if stale.last_seen is None:
            continue  # never ran: a server still being set up (its banner says so)
        if not _claim(stale):
            continue
        log.error(
            "%s stopped beating at %s; telling the duty coordinators",
            stale.loop.name,
            stale.last_seen.isoformat(),
        )
        for person in duty_people():
            try:
                EmailNotifier().send(person, NotificationKind.LOOP_DOWN)
                told += 1
            except DeliveryFailed as error:
                log.error("could not e-mail a duty coordinator (%s)", error)
    return told


_last_check: datetime | None = None


class WatchdogMiddleware:
    """Checks the heartbeats after staff requests, at most once per CHECK_EVERY."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        global _last_check
        response = self.get_response(request)
        if not request.path.startswith("/staff/"):
            return response  # requesters' pages: not even a session lookup
        user = getattr(request, "user", None)
        if user is None or not isinstance(user, Staff):
            return response
        now = clock.now()
        if _last_check is not None and now - _last_check < CHECK_EVERY:
            return response
        _last_check = now
        try:
            alarm_if_stale()
        except Exception as error:  # noqa: BLE001 - never break a page for the watchdog
            log.error("watchdog check failed (%s)", type(error).__name__)
        return response
