"""Legal deadline arithmetic, and the rules shipped by default.

A period counts from the day after the event (as Russian procedural codes
count: КАС РФ ст. 92–93, ГПК РФ ст. 107–108, УПК РФ ст. 128); a period in
months ends on the same day of the last month, or that month's last day when
it has no such day; a last day on a weekend or a public holiday moves to the
next working day when the rule says so. Public holidays come from the
`holidays` library (Russia), not a hand-typed list. Lawyers must confirm the
defaults: they are a starting point, written from public legal knowledge.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

import holidays
from django.utils.translation import gettext_noop

from tropa.assistance.models import DeadlineRule, LegalEvent, PeriodUnit


@cache
def _russian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("RU", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _russian_holidays(day.year)


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due(event_on: date, period: int, unit: str, moves_off_holidays: bool) -> date:
    """The last day to act, for an event on `event_on`."""
    if unit == PeriodUnit.WORKING_DAYS:
        day, left = event_on, period
        while left:
            day += timedelta(days=1)
            if is_working_day(day):
                left -= 1
        return day
    if unit == PeriodUnit.MONTHS:
        day = add_months(event_on, period)
    else:
        day = event_on + timedelta(days=period)
    return next_working_day(day) if moves_off_holidays else day


# (key, name, event, period, unit, article): the names are kept in Russian in
# the database (they are the helpline's own, and editable); gettext_noop marks
# them for the English interface.
DEFAULTS = [
    (
        "court_appeal_kas",
        gettext_noop("Appeal a draft board decision in court"),
        LegalEvent.DECISION,
        3,
        PeriodUnit.MONTHS,
        "КАС РФ ст. 219 ч. 1",
    ),
    (
        "higher_board",
        gettext_noop("Complain to the higher draft board"),
        LegalEvent.DECISION,
        3,
        PeriodUnit.MONTHS,
        "ФЗ «О воинской обязанности» ст. 28 ч. 7; КАС РФ ст. 219",
    ),
    (
        "appeal_court_ruling",
        gettext_noop("Appeal a court ruling (administrative case)"),
        LegalEvent.RULING,
        1,
        PeriodUnit.MONTHS,
        "КАС РФ ст. 298 ч. 1",
    ),
    (
        "appeal_offence",
        gettext_noop("Appeal an administrative offence ruling (fine for not reporting)"),
        LegalEvent.OFFENCE,
        10,
        PeriodUnit.DAYS,
        "КоАП РФ ст. 30.3 ч. 1",
    ),
    (
        "appeal_arrest",
        gettext_noop("Appeal a court's decision to hold in custody"),
        LegalEvent.DETENTION,
        3,
        PeriodUnit.DAYS,
        "УПК РФ ст. 108 ч. 11",
    ),
    (
        "summons_answer",
        gettext_noop("Answer a summons in writing before the day to report"),
        LegalEvent.SUMMONS,
        5,
        PeriodUnit.WORKING_DAYS,
        "ФЗ «О воинской обязанности» ст. 31; the date on the summons comes first",
    ),
]


def ensure_defaults() -> None:
    """Create the default rules that are missing (a coordinator's edits stay)."""
    have = set(DeadlineRule.objects.exclude(builtin="").values_list("builtin", flat=True))
    DeadlineRule.objects.bulk_create(
        DeadlineRule(builtin=key, name=name, event=event, period=period, unit=unit, article=article)
        for key, name, event, period, unit, article in DEFAULTS
        if key not in have
    )
