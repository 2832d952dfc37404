"""Referrals on a case, and psychological sessions: every write here.

A referral keeps plaintext only its coded kind and status, its coarse times
and its next date; what the person agreed may be shared, what was shared and
the notes are sealed to the case key (padded). Nothing moves to "sent" or
beyond without the person's recorded consent. A session's note is sealed to
the psychologists on the case and the team's coordinators only: a consultant
on the same case who is not a psychologist cannot open it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tropa import vault
from tropa.accounts.models import Profession, Role, Staff
from tropa.assistance import days, sealing
from tropa.assistance.events import AssistanceEvent
from tropa.assistance.models import (
    AFTER_CONSENT,
    Entry,
    Referral,
    ReferralStatus,
    ServiceKind,
    Session,
)
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions as case_actions
from tropa.cases.events import record_event
from tropa.cases.models import Case, Status
from tropa.core import clock
from tropa.notify.models import NotificationKind
from tropa.notify.outbox import tell

DETAILS_SIZE = 4096
NOTE_SIZE = 4096
FOLLOW_UP_AFTER = timedelta(days=14)
NO_ANSWER_AFTER = timedelta(days=7)


class Refused(ValueError):
    """A referral write that cannot be done, said in the user's language."""


@dataclass
class ReferralText:
    consent_scope: str = ""  # what the person agreed may be shared
    shared: str = ""  # what was shared with the partner
    notes: str = ""


def _sealed(data: dict[str, str], size: int, recipients: list[bytes]) -> bytes:
    try:
        return sealing.seal_padded(data, size, recipients)
    except sealing.TooLong as error:
        raise Refused(_("Too long: shorten the text.")) from error


def _opened(sealed: bytes, keys: vault.KeyPair) -> dict[str, str]:
    return sealing.open_padded(sealed, keys)


def read_text(referral: Referral, case_keys: vault.KeyPair) -> ReferralText:
    return ReferralText(**_opened(bytes(referral.sealed_details), case_keys))


def _event(referral: Referral, public_key: bytes, by: Staff, old: str) -> None:
    record_event(
        referral.case,
        public_key,
        AssistanceEvent.REFERRAL,
        by,
        service_kind=referral.kind,
        old=old,
        new=referral.status,
    )


def refer(
    case: Case,
    service: Entry | None,
    kind: str,
    by: Staff,
    by_keys: vault.KeyPair,
    text: ReferralText,
) -> Referral:
    """Propose a referral to a directory service (the person has not consented yet)."""
    if case.status in (Status.NEW, Status.DISCARDED, Status.MERGED, Status.DELETED):
        raise Refused(_("Accept the request as a case first."))
    if kind not in ServiceKind.values:
        raise Refused(_("Choose a kind of help from the list."))
    keys = case_actions.open_case(case, by, by_keys)
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            service=service,
            kind=kind,
            owner=by,
            sealed_details=_sealed(asdict(text), DETAILS_SIZE, [keys.public_key]),
        )
        _event(referral, keys.public_key, by, "")
        record(by, Action.REFERRAL_CHANGED, case_id=case.pk)
    return referral


def record_consent(
    referral: Referral, by: Staff, by_keys: vault.KeyPair, text: ReferralText
) -> None:
    """The person agreed, and to what may be shared (required before sending)."""
    if not text.consent_scope.strip():
        raise Refused(_("Write what the person agreed may be shared."))
    keys = case_actions.open_case(referral.case, by, by_keys)
    with transaction.atomic():
        old = referral.status
        referral.consented_at = clock.now()
        referral.sealed_details = _sealed(asdict(text), DETAILS_SIZE, [keys.public_key])
        if referral.status == ReferralStatus.PROPOSED:
            referral.status = ReferralStatus.CONSENTED
        referral.status_at = clock.now()
        referral.save()
        _event(referral, keys.public_key, by, old)
        record(by, Action.REFERRAL_CHANGED, case_id=referral.case_id)


def move(
    referral: Referral,
    status: str,
    by: Staff,
    by_keys: vault.KeyPair,
    text: ReferralText,
    next_date: date | None,
) -> None:
    """A new status, what was shared and notes, and the next appointment (a task)."""
    if status not in ReferralStatus.values:
        raise Refused(_("Choose a status from the list."))
    if status in AFTER_CONSENT and referral.consented_at is None:
        raise Refused(_("Record the person's consent before the referral is sent."))
    keys = case_actions.open_case(referral.case, by, by_keys)
    with transaction.atomic():
        old = referral.status
        referral.status = status
        referral.status_at = clock.now()
        referral.sealed_details = _sealed(asdict(text), DETAILS_SIZE, [keys.public_key])
        if next_date != referral.next_date:
            _move_task(referral, by, by_keys, next_date)
        referral.save()
        if old != status:
            _event(referral, keys.public_key, by, old)
        record(by, Action.REFERRAL_CHANGED, case_id=referral.case_id)


def _move_task(referral: Referral, by: Staff, by_keys: vault.KeyPair, on: date | None) -> None:
    referral.next_date = on
    title = _("Referral appointment (%(kind)s)") % {"kind": ServiceKind(referral.kind).label}
    if on is None:
        if referral.task is not None:
            case_actions.cancel_task(referral.task, by)
            referral.task = None
        return
    due = days.remind(on, timedelta(days=1))
    if referral.task is None:
        referral.task = case_actions.add_task(
            referral.case, referral.owner or by, by, by_keys, title, due
        )
    else:
        case_actions.move_task(referral.task, by, by_keys, title, due)


# Psychological sessions


def note_readers(case: Case) -> list[Staff]:
    """Who may read session notes: the psychologists on the case and the team's coordinators."""
    on_case = Staff.objects.filter(
        assignments__case=case, profession=Profession.PSYCHOLOGIST, is_active=True
    )
    coordinators = Staff.objects.filter(role=Role.COORDINATOR, team_id=case.team_id, is_active=True)
    people = {s.pk: s for s in [*on_case, *coordinators] if bytes(s.public_key)}
    return list(people.values())


def may_read_notes(staff: Staff, case: Case) -> bool:
    return any(person.pk == staff.pk for person in note_readers(case))


def record_session(
    referral: Referral, held_on: date, minutes: int, note: str, by: Staff
) -> Session:
    if referral.kind not in (ServiceKind.PSYCHOLOGIST, ServiceKind.PSYCHIATRIST):
        raise Refused(_("Sessions are recorded for psychological support only."))
    if held_on > clock.now().date():
        raise Refused(_("A session is recorded once it was held."))
    if not 0 < minutes <= 600:
        raise Refused(_("Give the session's length in minutes."))
    readers = [bytes(p.public_key) for p in note_readers(referral.case)]
    with transaction.atomic():
        session = Session.objects.create(
            referral=referral,
            held_on=held_on,
            minutes=minutes,
            recorded_by=by,
            sealed_note=_sealed({"note": note}, NOTE_SIZE, readers),
        )
        if referral.last_session_on is None or held_on > referral.last_session_on:
            referral.last_session_on = held_on
            referral.followup_sent_on = None
            referral.save(update_fields=["last_session_on", "followup_sent_on"])
        record(by, Action.SESSION_RECORDED, case_id=referral.case_id)
    return session


def read_note(session: Session, staff_keys: vault.KeyPair) -> str | None:
    """The note, if this person's own key opens it (None otherwise)."""
    try:
        return _opened(bytes(session.sealed_note), staff_keys).get("note", "")
    except vault.CannotOpen:
        return None


def follow_up_psychological_support() -> int:
    """Watcher job: an ongoing psychological referral with no session for 14
    days and nothing booked tells its owner once (claimed by a conditional
    UPDATE, so two watchers never tell twice)."""
    today = clock.now().date()
    quiet = (
        Referral.objects.filter(
            kind__in=[ServiceKind.PSYCHOLOGIST, ServiceKind.PSYCHIATRIST],
            status__in=[ReferralStatus.FIRST_APPOINTMENT, ReferralStatus.ONGOING],
            last_session_on__lte=today - FOLLOW_UP_AFTER,
            followup_sent_on__isnull=True,
        )
        .filter(Q(next_date__isnull=True) | Q(next_date__lt=today))
        .select_related("owner")[:200]
    )
    sent = 0
    for referral in quiet:
        claimed = Referral.objects.filter(pk=referral.pk, followup_sent_on__isnull=True).update(
            followup_sent_on=today
        )
        if claimed and referral.owner is not None:
            tell(referral.owner, NotificationKind.TASK_DUE)
            sent += 1
    return sent
