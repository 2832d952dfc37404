"""Timeline events of applications, and how the case page says them: opened,
moved to a stage, decided, a date set or cleared. Sealed to the case key like
every event; the payload holds codes, said in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa.assistance import countries
from tropa.assistance.models import (
    DateKind,
    Outcome,
    PointStatus,
    ReferralStatus,
    Route,
    ServiceKind,
    Stage,
)
from tropa.cases.events import Shown


class AssistanceEvent(models.TextChoices):
    OPENED = "application_opened", gettext_lazy("Application opened")
    STAGE = "application_stage", gettext_lazy("Application stage")
    DECIDED = "application_decided", gettext_lazy("Application decided")
    DATE = "application_date", gettext_lazy("Application date")
    DOCUMENT = "document_produced", gettext_lazy("Document produced")
    DEADLINE = "legal_deadline", gettext_lazy("Legal deadline")
    ROUTE_POINT = "route_point_changed", gettext_lazy("Route point changed")
    REFERRAL = "referral", gettext_lazy("Referral")


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _what(payload: dict[str, Any]) -> str:
    return f"{countries.name(payload['country'])}, {_label(Route, payload['route'])}"


def _opened(payload: dict[str, Any]) -> Shown:
    return Shown(_("Application opened: %(what)s.") % {"what": _what(payload)})


def _stage(payload: dict[str, Any]) -> Shown:
    text = _("Application (%(what)s) moved from “%(old)s” to “%(new)s”.") % {
        "what": _what(payload),
        "old": _label(Stage, payload["old"]),
        "new": _label(Stage, payload["new"]),
    }
    reason = payload.get("reason") or ""
    return Shown(f"{text} {reason}" if reason else text)


def _decided(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("Application (%(what)s) decided: %(outcome)s.")
        % {"what": _what(payload), "outcome": _label(Outcome, payload["outcome"])}
    )


def _date(payload: dict[str, Any]) -> Shown:
    kind = _label(DateKind, payload["which"])
    if not payload.get("on"):
        return Shown(_("Application (%(what)s): %(kind)s cleared.") % {
            "what": _what(payload), "kind": kind})  # fmt: skip
    on = date_format(date.fromisoformat(payload["on"]), "DATE_FORMAT")
    return Shown(
        _("Application (%(what)s): %(kind)s on %(on)s.")
        % {"what": _what(payload), "kind": kind, "on": on}
    )


def _document(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("Document produced from the template “%(template)s”, version %(version)s.")
        % {"template": payload["template"], "version": payload["version"]}
    )


def _deadline(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("Legal deadline: %(rule)s — event on %(event)s, last day %(due)s.")
        % {
            "rule": _(payload["rule"]),
            "event": date_format(date.fromisoformat(payload["event_on"]), "DATE_FORMAT"),
            "due": date_format(date.fromisoformat(payload["due_on"]), "DATE_FORMAT"),
        }
    )


def _route_point(payload: dict[str, Any]) -> Shown:
    status = _label(PointStatus, payload["status"])
    text = _(
        "Route point “%(point)s” on leg %(leg)s is now: %(status)s. Follow the backup plan."
    ) % {"point": payload["point"], "leg": payload["leg"], "status": status}
    note = payload.get("note") or ""
    return Shown(f"{text} {note}" if note else text)


def _referral(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("Referral (%(kind)s): %(old)s → %(new)s.")
        % {
            "kind": _label(ServiceKind, payload["service_kind"]),
            "old": _label(ReferralStatus, payload["old"]) if payload.get("old") else "—",
            "new": _label(ReferralStatus, payload["new"]),
        }
    )


RENDERERS: dict[str, Callable[[dict[str, Any]], Shown]] = {
    AssistanceEvent.OPENED: _opened,
    AssistanceEvent.STAGE: _stage,
    AssistanceEvent.DECIDED: _decided,
    AssistanceEvent.DATE: _date,
    AssistanceEvent.DOCUMENT: _document,
    AssistanceEvent.DEADLINE: _deadline,
    AssistanceEvent.ROUTE_POINT: _route_point,
    AssistanceEvent.REFERRAL: _referral,
}
