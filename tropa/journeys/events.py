"""Timeline events journeys record, and how the case page says them.

A check-in is in the timeline whatever it said, so the case keeps its whole
history, duress included, after the alert is acknowledged. The event is the
same length for every kind: its sealed size says nothing either.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa.cases.events import Shown
from tropa.cases.models import Channel
from tropa.journeys.models import CheckInKind

# Every kind's value is padded to this many characters in the payload.
_SAID_WIDTH = max(len(kind.value) for kind in CheckInKind)


class JourneyEvent(models.TextChoices):
    CHECKED_IN = "checked_in", gettext_lazy("Check-in")


def checked_in_payload(kind: str, channel: str) -> dict[str, str]:
    """The payload of a check-in event: the same length for safe, help and duress."""
    return {"said": str(kind), "pad": " " * (_SAID_WIDTH - len(str(kind))), "channel": channel}


def _checked_in(payload: dict[str, Any]) -> Shown:
    said = CheckInKind(payload["said"])
    channel = Channel(payload["channel"]).label
    if said == CheckInKind.DURESS:
        text = _(
            "DURESS: a check-in with the duress word (%(channel)s). The person may be "
            "forced to write; do not reply in a way that shows we know."
        )
    elif said == CheckInKind.HELP:
        text = _("Check-in: the person asked for help (%(channel)s).")
    else:
        text = _("Check-in: the person said they are safe (%(channel)s).")
    return Shown(text % {"channel": channel})


RENDERERS = {JourneyEvent.CHECKED_IN: _checked_in}
