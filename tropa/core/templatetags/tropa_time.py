"""`{{ moment|when }}`: a date and time with the zone in the reader's words."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.formats import date_format
from django.utils.timezone import localtime

from tropa.core.zone import zone_label

register = template.Library()


@register.filter
def when(value: datetime | None, fmt: str = "j E, H:i") -> str:
    if value is None:
        return ""
    return f"{date_format(localtime(value), fmt)} {zone_label()}"
