"""Days as the helpline counts them: today in its time zone, and when a
reminder of a date is due (09:00 helpline time, some days before, never in
the past). Applications, legal deadlines and referrals all remind this way."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from tropa.core import clock

REMIND_AT = time(9, 0)


def today() -> date:
    return clock.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def remind(day: date, before: timedelta) -> datetime:
    """When a task for `day` comes due: `before` it, in the morning, or now."""
    due = datetime.combine(day - before, REMIND_AT, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return max(due, clock.now())
