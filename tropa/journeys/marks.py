"""The duress warning on a case: it stays in the case header after the alert is
acknowledged, until a coordinator clears it with a reason.

Nothing of it is plaintext (docs/security.md, "The duress signal"): which
check-ins were duress is read from their sealed kinds, and a clearing is a
sealed timeline event with an audit entry that says only "changed a journey
plan". A colleague who opens the case months later still sees that the person
may be under coercion.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from tropa import vault
from tropa.accounts.models import Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions as case_actions
from tropa.cases import events
from tropa.cases.models import Case, Kind, Message
from tropa.journeys.actions import read_said
from tropa.journeys.events import JourneyEvent
from tropa.journeys.models import Alert, CheckIn, CheckInKind

MAX_REASON = 500


@dataclass(frozen=True)
class DuressMark:
    checkin: CheckIn
    at: datetime
    acknowledged_by: str  # "" while the alert is open
    acknowledged_at: datetime | None


def _cleared(case: Case, keys: vault.KeyPair, since: datetime) -> set[str]:
    """Ids of the duress check-ins cleared by a timeline event since `since`."""
    cleared = set()
    rows = Message.objects.filter(case=case, kind=Kind.EVENT, created_at__gte=since)
    for message in rows.only("sealed_body"):
        try:
            event = events.decode(vault.open_from_many(keys, bytes(message.sealed_body)).decode())
        except (vault.CannotOpen, ValueError):
            continue
        if event.kind == JourneyEvent.DURESS_CLEARED:
            cleared.add(str(event.payload.get("checkin")))
    return cleared


def duress_marks(case: Case, keys: vault.KeyPair) -> list[DuressMark]:
    """The duress check-ins of this case not yet cleared, newest first."""
    checkins = CheckIn.objects.filter(leg__plan__case=case).order_by("-at", "-pk")
    duress = [c for c in checkins if read_said(c, keys) == CheckInKind.DURESS]
    if not duress:
        return []
    cleared = _cleared(case, keys, min(c.at for c in duress))
    alerts = {
        alert.checkin_id: alert
        for alert in Alert.objects.filter(checkin__in=duress).select_related("acknowledged_by")
    }
    marks = []
    for checkin in duress:
        if str(checkin.pk) in cleared:
            continue
        alert = alerts.get(checkin.pk)
        by = alert.acknowledged_by if alert else None
        marks.append(
            DuressMark(
                checkin,
                checkin.at,
                by.username if by else "",
                alert.acknowledged_at if alert else None,
            )
        )
    return marks


def clear_duress(
    case: Case, checkin_id: uuid.UUID | int, by: Staff, by_keys: vault.KeyPair, reason: str
) -> None:
    """A coordinator clears one duress warning, saying why (NotAllowed unless it is one)."""
    keys = case_actions.open_case(case, by, by_keys)
    checkin = CheckIn.objects.filter(pk=checkin_id, leg__plan__case=case).first()
    if checkin is None or read_said(checkin, keys) != CheckInKind.DURESS:
        raise case_actions.NotAllowed
    if not reason.strip():
        raise case_actions.NotAllowed
    with transaction.atomic():
        events.record_event(
            case,
            keys.public_key,
            JourneyEvent.DURESS_CLEARED,
            by,
            checkin=str(checkin.pk),
            name=by.username,
            reason=reason.strip()[:MAX_REASON],
        )
        record(by, Action.PLAN_CHANGED, case_id=case.pk)
