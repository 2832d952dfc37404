"""Consultant hours, and counting a response target in them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tropa.core.hours import hours_before, in_hours

MSK = ZoneInfo("Europe/Moscow")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=MSK)


@override_settings(TROPA_TELEGRAM_HOURS="10:00-22:00", TROPA_TELEGRAM_TIMEZONE="Europe/Moscow")
@pytest.mark.parametrize(
    ("now", "hours", "since"),
    [
        (at(3, 12), 1, at(3, 11)),  # within today's hours
        (at(3, 11), 3, at(2, 20)),  # one hour today, two yesterday evening
        (at(3, 23, 30), 2, at(3, 20)),  # after closing: counted back from 22:00
        (at(3, 9), 12, at(2, 10)),  # before opening: yesterday's whole day
        (at(3, 12), 24, at(1, 12)),  # two hours today, twelve yesterday, ten the day before
    ],
)
def test_hours_before_counts_only_consultant_hours(now, hours, since):
    assert hours_before(now, hours) == since


@override_settings(TROPA_TELEGRAM_HOURS="22:00-06:00", TROPA_TELEGRAM_TIMEZONE="Europe/Moscow")
def test_night_hours_across_midnight():
    assert in_hours(at(3, 23)) and in_hours(at(3, 5)) and not in_hours(at(3, 12))
    assert hours_before(at(3, 2), 4) == at(2, 22)  # 22:00 to 02:00 is four hours
    assert hours_before(at(3, 12), 8) == at(2, 22)


@override_settings(TROPA_TELEGRAM_HOURS="00:00-00:00", TROPA_TELEGRAM_TIMEZONE="Europe/Moscow")
def test_round_the_clock_hours_are_wall_clock_hours():
    assert hours_before(at(3, 12), 30) == at(2, 6)


@override_settings(TROPA_TELEGRAM_HOURS="ten to ten")
def test_bad_hours_are_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        hours_before(at(3, 12), 1)
