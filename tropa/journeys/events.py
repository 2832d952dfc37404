"""Timeline events journeys record, and how the case page says them: check-ins,
legs started, done and failed, alerts raised, escalated and acknowledged.

A check-in is in the timeline whatever it said, so the case keeps its whole
history, duress included, after the alert is acknowledged. The event is the
same length for every kind: its sealed size says nothing either.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tropa.cases.events import Shown
from tropa.cases.models import Channel
from tropa.journeys.models import CheckInKind, Stage


class JourneyEvent(models.TextChoices):
    CHECKED_IN = "checked_in", gettext_lazy("Check-in")
    LEG_STARTED = "leg_started", gettext_lazy("Leg started")
    LEG_DONE = "leg_done", gettext_lazy("Leg done")
    LEG_FAILED = "leg_failed", gettext_lazy("Leg failed")
    LEG_FAILURE_UNDONE = "leg_unfailed", gettext_lazy("Leg failure undone")
    ALERT_RAISED = "alert_raised", gettext_lazy("Alert raised")
    ALERT_ESCALATED = "alert_escalated", gettext_lazy("Alert escalated")
    ALERT_ACKNOWLEDGED = "alert_acked", gettext_lazy("Alert acknowledged")
    DURESS_CLEARED = "duress_cleared", gettext_lazy("Duress warning cleared")


# A check-in event's payload is padded to this many bytes of JSON.
_PAYLOAD_BYTES = 900


def checked_in_payload(kind: str, channel: str, note: str = "") -> dict[str, str]:
    """The payload of a check-in event: the same length whatever it said and
    whatever the note (up to its 200 characters)."""
    payload = {"said": str(kind), "channel": channel, "note": note, "pad": ""}
    used = len(json.dumps(payload, ensure_ascii=False).encode())
    payload["pad"] = " " * max(_PAYLOAD_BYTES - used, 0)
    return payload


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
    shown = text % {"channel": channel}
    note = payload.get("note") or ""
    return Shown(f"{shown} «{note}»" if note else shown)


def _leg(text: str) -> Callable[[dict[str, Any]], Shown]:
    def render(payload: dict[str, Any]) -> Shown:
        return Shown(_(text) % {"n": int(payload["position"])})

    return render


def _stage(stage: int) -> str:
    return str(Stage(stage).label)


def _alert_raised(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("A check-in was missed: alert raised, told to: %(stage)s.")
        % {"stage": _stage(payload["stage"])}
    )


def _alert_escalated(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("Nobody acknowledged the alert: escalated to %(stage)s.")
        % {"stage": _stage(payload["stage"])}
    )


def _alert_acknowledged(payload: dict[str, Any]) -> Shown:
    what = _("missed check-in") if payload.get("alert") == "missed" else _("check-in")
    return Shown(
        _("Alert (%(what)s) acknowledged by %(name)s.") % {"what": what, "name": payload["name"]}
    )


def _duress_cleared(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("%(name)s cleared the duress warning: %(reason)s")
        % {"name": payload["name"], "reason": payload["reason"]}
    )


RENDERERS = {
    JourneyEvent.CHECKED_IN: _checked_in,
    JourneyEvent.LEG_STARTED: _leg(gettext_noop("Leg %(n)s started.")),
    JourneyEvent.LEG_DONE: _leg(gettext_noop("Leg %(n)s done.")),
    JourneyEvent.LEG_FAILED: _leg(gettext_noop("Leg %(n)s failed: its backup plan is up.")),
    JourneyEvent.LEG_FAILURE_UNDONE: _leg(gettext_noop("The failure of leg %(n)s was undone.")),
    JourneyEvent.ALERT_RAISED: _alert_raised,
    JourneyEvent.ALERT_ESCALATED: _alert_escalated,
    JourneyEvent.ALERT_ACKNOWLEDGED: _alert_acknowledged,
    JourneyEvent.DURESS_CLEARED: _duress_cleared,
}
