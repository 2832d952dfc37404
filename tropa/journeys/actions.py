"""Plans, legs and check-ins: every change writes its audit entry.

The duress rule: a requester's check-in with the pre-agreed duress word is
recorded and treated exactly like "I am safe" in everything the requester can
see (same page, same next deadline), and the same on disk: every check-in,
safe, help or duress, writes the same rows (a check-in whose kind is sealed to
the case key, a timeline event, one check-in alert at the first stage of the
ladder, the same notifications). Staff who open the case see what it said at
once; a seized database cannot tell them apart.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.db import transaction

from tropa import vault
from tropa.accounts.models import Staff, Team
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions as case_actions
from tropa.cases import hooks
from tropa.cases.events import record_event
from tropa.cases.models import Case
from tropa.core import clock
from tropa.core.words import normalise
from tropa.journeys.escalation import raise_alert
from tropa.journeys.events import JourneyEvent, checked_in_payload
from tropa.journeys.legs import (
    LegPlan,
    LegText,
    add_leg,
    delete_leg,
    edit_leg,
    fail_leg,
    finish_leg,
    plan_for,
    read_leg,
    start_leg,
    undo_failure,
)
from tropa.journeys.models import (
    Alert,
    AlertKind,
    Channel,
    CheckIn,
    CheckInKind,
    Leg,
    LegStatus,
    Plan,
)

# Padding of a sealed check-in kind before sealing: every kind fills it.
SAID_SIZE = 1024
# A check-in's note ("anything to add?"), which is also where the person types
# the agreed duress word: kept to this many characters, sealed at one size.
NOTE_MAX = 200
_WORD = re.compile(r"\w+")


def save_protocol(
    case: Case, by: Staff, by_keys: vault.KeyPair, protocol: str, contacts: str
) -> Plan:
    keys = case_actions.open_case(case, by, by_keys)
    plan = plan_for(case)
    body = json.dumps({"protocol": protocol, "contacts": contacts}).encode()
    with transaction.atomic():
        plan.sealed_protocol = vault.seal_to_many(body, [keys.public_key])
        plan.updated_at = clock.now()
        plan.save(update_fields=["sealed_protocol", "updated_at"])
        record(by, Action.PLAN_CHANGED, case_id=case.pk)
    return plan


def set_duress_word(case: Case, by: Staff, by_keys: vault.KeyPair, word: str) -> None:
    """The word agreed with the requester; sealed so the requester's key can check it."""
    keys = case_actions.open_case(case, by, by_keys)
    plan = plan_for(case)
    checkers = [key for hook in hooks.CHECKIN_KEYS for key in hook(case)]
    sealed = vault.seal_to_many(
        normalise(word).encode(),
        [keys.public_key, *case_actions.requester_keys(case), *checkers],
    )
    with transaction.atomic():
        plan.sealed_duress = sealed if word.strip() else None
        plan.save(update_fields=["sealed_duress"])
        record(by, Action.PLAN_CHANGED, case_id=case.pk)


def _is_duress(plan: Plan, note: str, requester_keys: vault.KeyPair) -> bool:
    """Whether the note holds the agreed word (its words in a row, any case,
    ё as е, punctuation around them ignored): "всё хорошо, ромашка!" holds "ромашка"."""
    if not plan.sealed_duress or not note.strip():
        return False
    try:
        agreed = vault.open_from_many(requester_keys, bytes(plan.sealed_duress))
    except vault.CannotOpen:
        return False
    wanted = _WORD.findall(agreed.decode())
    typed = _WORD.findall(normalise(note))
    if not wanted:
        return False
    # Every window is compared, match or not: the time depends on the note's length only.
    found = False
    for start in range(len(typed) - len(wanted) + 1):
        window = " ".join(typed[start : start + len(wanted)]).encode()
        found |= vault.constant_time_equal(window, " ".join(wanted).encode())
    return found


def check_in(
    leg: Leg,
    kind: str,
    *,
    channel: str,
    word: str = "",
    requester_keys: vault.KeyPair | None = None,
    recorded_by: Staff | None = None,
) -> CheckIn:
    """Record a check-in. `word` is the person's note; with the duress word in it
    the check-in becomes a silent duress signal. The note reaches staff, sealed."""
    note = " ".join(word.split())[:NOTE_MAX]
    if leg.status != LegStatus.ACTIVE:
        raise case_actions.NotAllowed
    kind = CheckInKind(kind)
    if kind == CheckInKind.DURESS:
        raise ValueError("duress is never chosen, only detected from the word")
    now = clock.now()
    # The duress word turns any check-in, "safe" or "help", into a silent duress signal.
    if requester_keys is not None and _is_duress(leg.plan, note, requester_keys):
        kind = CheckInKind.DURESS
    case = leg.plan.case
    # Every branch below writes the same rows with the same plaintext: only
    # sealed bytes (padded to one size) differ between safe, help and duress.
    said = seal_said(case.public_key, kind, note)
    with transaction.atomic():
        checkin = CheckIn.objects.create(
            leg=leg, sealed_kind=said, channel=channel, at=now, recorded_by=recorded_by
        )
        leg.last_checkin_at = now
        if leg.checkin_every_hours:
            leg.next_checkin_due = now + timedelta(hours=leg.checkin_every_hours)
        leg.save(update_fields=["last_checkin_at", "next_checkin_due"])
        record_event(
            case,
            case.public_key,
            JourneyEvent.CHECKED_IN,
            recorded_by,
            **checked_in_payload(kind, channel, note),
        )
        raise_alert(case, leg, AlertKind.CHECKIN, now, checkin=checkin)
        if recorded_by is not None:
            record(recorded_by, Action.CHECKIN_RECORDED, case_id=case.pk)
    return checkin


def seal_said(case_public_key: bytes, kind: str, note: str = "") -> bytes:
    """What a check-in said and its note, sealed to the case key, one size for all."""
    body = json.dumps({"said": str(kind), "note": note[:NOTE_MAX]}, ensure_ascii=False).encode()
    return vault.seal_to_many(body.ljust(SAID_SIZE), [case_public_key])


def read_note(checkin: CheckIn, keys: vault.KeyPair) -> str:
    try:
        note = json.loads(vault.open_from_many(keys, bytes(checkin.sealed_kind))).get("note", "")
    except (vault.CannotOpen, ValueError, AttributeError):
        return ""
    return note if isinstance(note, str) else ""


def read_said(checkin: CheckIn, keys: vault.KeyPair) -> CheckInKind | None:
    """What the check-in said; None when `keys` cannot open it or it is not one."""
    try:
        data = json.loads(vault.open_from_many(keys, bytes(checkin.sealed_kind)))
        return CheckInKind(data["said"])
    except (vault.CannotOpen, ValueError, KeyError, TypeError):
        return None


def acknowledge(alert: Alert, by: Staff) -> bool:
    """Stops the ladder; audited and in the timeline, alike whatever the alert was.
    Returns False if someone acknowledged it first."""
    with transaction.atomic():
        done = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=clock.now(), acknowledged_by=by, next_escalation_at=None
        )
        if done:
            case = Case.objects.select_related("keyring").get(pk=alert.case_id)
            record_event(
                case,
                case.public_key,
                JourneyEvent.ALERT_ACKNOWLEDGED,
                by,
                alert=alert.kind,
                name=by.username,
            )
            record(by, Action.ALERT_ACKNOWLEDGED, case_id=alert.case_id)
    return bool(done)


def active_leg(case: Case) -> Leg | None:
    return (
        Leg.objects.filter(plan__case=case, status=LegStatus.ACTIVE)
        .select_related("plan__case")
        .order_by("position")
        .first()
    )


# The leg lifecycle lives in tropa/journeys/legs.py; callers reach it here too.
__all__ = [
    "Channel",
    "CheckInKind",
    "LegPlan",
    "LegText",
    "add_leg",
    "delete_leg",
    "edit_leg",
    "fail_leg",
    "finish_leg",
    "plan_for",
    "read_leg",
    "start_leg",
    "undo_failure",
]


def set_team_ladder(
    team: Team, *, duty_coordinator: Staff | None, to_duty: int, to_team: int, actor: Staff
) -> None:
    """A team's escalation ladder: who is on duty, and the minutes between steps."""
    with transaction.atomic():
        team.duty_coordinator = duty_coordinator
        team.escalate_to_duty_minutes = to_duty
        team.escalate_to_team_minutes = to_team
        team.save(
            update_fields=[
                "duty_coordinator",
                "escalate_to_duty_minutes",
                "escalate_to_team_minutes",
            ]
        )
        record(actor, Action.TEAM_LADDER_CHANGED)


def set_plan_ladder(case: Case, *, to_duty: int | None, to_team: int | None, actor: Staff) -> None:
    """One journey's own escalation minutes (None: the team's)."""
    with transaction.atomic():
        plan = plan_for(case)
        plan.to_duty_minutes = to_duty
        plan.to_team_minutes = to_team
        plan.save(update_fields=["to_duty_minutes", "to_team_minutes"])
        record(actor, Action.PLAN_CHANGED, case_id=case.pk)
