"""`{{ moment|when }}`: a date and time with the zone in the reader's words;
`{{ moment|day_time }}`: the same without the zone.

Django names the months in most of the requester languages; for a language
it has no catalog for (Sinhala), the day and month come from Babel's CLDR
data instead, so nobody reads "December" in a page written in their script
(tropa/core/languages.py: `django_names_months`).
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_skeleton
from django import template
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, to_locale

from tropa.core.languages import django_names_months
from tropa.core.zone import zone_label

register = template.Library()

DAY_TIME = "j E, H:i"


def day_and_time(value: datetime, fmt: str = DAY_TIME) -> str:
    local = localtime(value)
    language = get_language() or "ru"
    if fmt == DAY_TIME and not django_names_months(language):
        day = format_skeleton("MMMMd", local, locale=to_locale(language))
        return f"{day}, {local:%H:%M}"
    return date_format(local, fmt)


@register.filter
def day_time(value: datetime | None) -> str:
    return "" if value is None else day_and_time(value)


@register.filter
def when(value: datetime | None, fmt: str = DAY_TIME) -> str:
    if value is None:
        return ""
    return f"{day_and_time(value, fmt)} {zone_label()}"
