"""Typed timeline events: a kind and a structured payload, sealed like a note.

An event's kind and payload are sealed to the case key as one small JSON
object (`{"kind": ..., ...payload}`): even the kind of event (a reply that
could not be delivered, a merge) says something about the person, so nothing
of it is plaintext. Each app that records events declares its kinds as a
TextChoices and registers one renderer per kind from its wiring module; the
case page asks `describe()` and never parses a string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa import vault
from tropa.cases import timeline
from tropa.cases.models import Case, Kind, Message, Status
from tropa.core.registry import Named


class CaseEvent(models.TextChoices):
    """The events the cases app records itself."""

    ACCEPTED = "accepted", gettext_lazy("Accepted")
    ASSIGNED = "assigned", gettext_lazy("Assigned")
    UNASSIGNED = "unassigned", gettext_lazy("Unassigned")
    STATUS_CHANGED = "status", gettext_lazy("Status changed")
    MERGED = "merged", gettext_lazy("Merged")
    LABELLED = "labelled", gettext_lazy("Label changed")


@dataclass(frozen=True)
class Event:
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Shown:
    """An event as the page says it: a sentence, and for a merge the answers it brought."""

    text: str
    answers: dict[str, Any] | None = None


Renderer = Callable[[dict[str, Any]], Shown]
RENDERERS: Named[Renderer] = Named("timeline event renderers")


def encode(kind: str, payload: dict[str, Any]) -> bytes:
    if "kind" in payload:
        raise ValueError("'kind' is reserved in an event payload")
    return json.dumps({"kind": str(kind), **payload}, ensure_ascii=False).encode()


def decode(body: str) -> Event:
    """The event in a decrypted timeline body (ValueError if it is not one)."""
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise ValueError("not an event")
    kind = data.pop("kind")
    return Event(kind, data)


def record_event(
    case: Case, case_public_key: bytes, kind: str, actor: Any = None, **payload: Any
) -> Message:
    """Append an event to the case timeline, sealed to the case key only."""
    sealed = vault.seal_to_many(encode(kind, payload), [case_public_key])
    return timeline.append(case, Kind.EVENT, sealed, actor)


def describe(body: str) -> Shown:
    """Say a stored event in words, in the viewer's language."""
    try:
        event = decode(body)
    except ValueError:
        return Shown(_("An event this version of Tropa cannot read."))
    render = RENDERERS.get(event.kind)
    if render is None:
        return Shown(_("An event this version of Tropa cannot read."))
    try:
        return render(event.payload)
    except (KeyError, TypeError, ValueError):
        return Shown(_("An event this version of Tropa cannot read."))


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _accepted(payload: dict[str, Any]) -> Shown:
    return Shown(_("The request was accepted as a case."))


def _assigned(payload: dict[str, Any]) -> Shown:
    return Shown(_("%(name)s was put on the case.") % {"name": payload["name"]})


def _unassigned(payload: dict[str, Any]) -> Shown:
    return Shown(_("%(name)s was taken off the case.") % {"name": payload["name"]})


def _status_changed(payload: dict[str, Any]) -> Shown:
    return Shown(
        _("Status changed from “%(old)s” to “%(new)s”.")
        % {"old": _status_label(payload["old"]), "new": _status_label(payload["new"])}
    )


def _merged(payload: dict[str, Any]) -> Shown:
    intake = payload.get("intake")
    answers = intake.get("answers", {}) if isinstance(intake, dict) else {}
    return Shown(
        _("A new request from the same person was merged into this case."),
        answers if isinstance(answers, dict) else {},
    )


def _labelled(payload: dict[str, Any]) -> Shown:
    text = _("Label “%(label)s” added.") if payload.get("on") else _("Label “%(label)s” removed.")
    return Shown(text % {"label": payload["label"]})


def register_case_events() -> None:
    RENDERERS.register(CaseEvent.ACCEPTED, _accepted)
    RENDERERS.register(CaseEvent.ASSIGNED, _assigned)
    RENDERERS.register(CaseEvent.UNASSIGNED, _unassigned)
    RENDERERS.register(CaseEvent.STATUS_CHANGED, _status_changed)
    RENDERERS.register(CaseEvent.MERGED, _merged)
    RENDERERS.register(CaseEvent.LABELLED, _labelled)
