"""Consultant hours: when the helpline answers (TROPA_TELEGRAM_HOURS, in
TROPA_TELEGRAM_TIMEZONE). The bot says when someone will answer; the response
targets count only these hours, so a message at midnight is not "late" by
morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# How far back hours_before() looks before giving up (a misconfiguration).
LOOK_BACK_DAYS = 400


def consultant_hours() -> tuple[time, time, ZoneInfo]:
    try:
        start_text, end_text = settings.TROPA_TELEGRAM_HOURS.split("-")
        start = time.fromisoformat(start_text.strip())
        end = time.fromisoformat(end_text.strip())
        zone = ZoneInfo(settings.TROPA_TELEGRAM_TIMEZONE)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(
            "TROPA_TELEGRAM_HOURS must look like 10:00-22:00 and TROPA_TELEGRAM_TIMEZONE "
            f"name a time zone such as Europe/Moscow ({error})"
        ) from None
    return start, end, zone


def in_hours(now: datetime) -> bool:
    start, end, zone = consultant_hours()
    local = now.astimezone(zone).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # hours across midnight


def next_opening(now: datetime) -> datetime:
    start, _end, zone = consultant_hours()
    local = now.astimezone(zone)
    opening = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if opening <= local:
        opening += timedelta(days=1)
    return opening


def _window(day: datetime, start: time, end: time) -> tuple[datetime, datetime]:
    """The hours that open on `day` (a local midnight), as local datetimes."""
    opens = day.replace(hour=start.hour, minute=start.minute)
    closes = day.replace(hour=end.hour, minute=end.minute)
    if end <= start:  # across midnight (or all day when equal)
        closes += timedelta(days=1)
    return opens, closes


def hours_before(now: datetime, hours: float) -> datetime:
    """The moment from which `hours` consultant hours have passed by `now`."""
    start, end, zone = consultant_hours()
    left = timedelta(hours=hours)
    local = now.astimezone(zone)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    for _ in range(LOOK_BACK_DAYS):
        opens, closes = _window(day, start, end)
        closes = min(closes, local)
        if closes > opens:
            if closes - opens >= left:
                return closes - left
            left -= closes - opens
        day -= timedelta(days=1)
    return local - timedelta(days=LOOK_BACK_DAYS)
