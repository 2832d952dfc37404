"""The time zone as a reader says it: "Moscow time" / "мск", never a Latin "MSK"
on a Russian page, and next to every date-time a person types."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _


def zone_label() -> str:
    if settings.TIME_ZONE == "Europe/Moscow":
        return _("Moscow time")
    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"
