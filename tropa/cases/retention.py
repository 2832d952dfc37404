"""Retention: how long a case is kept, the legal hold, and the shredding.

Periods (settings, in days):

- a closed case: TROPA_RETAIN_CLOSED_DAYS (180) after it was closed;
- a request nobody answered, with no activity: TROPA_RETAIN_UNANSWERED_DAYS
  (365) after its last activity; it is closed as "lost contact" as it goes;
- a discarded request: when its undo window ends (tropa/cases/triage.py);
- a request its person deleted: at once (tropa/intake/actions.py).

Shredding (the watcher's `shred_due`) crypto-shreds the case key, so every
sealed row of every app becomes noise, and deletes the case's own rows
(timeline, files, tasks, labels, assignments, the requester's codename, the
search index, a Telegram chat's link). What stays is the row as a
content-free trace: month received and closed, channel, situation, region
group, outcome, team; no alias, no flags, no priority. The statistics tally
is not touched (published figures stay true) and `tropa stats rebuild`
counts the traces as it counted the cases.

Each case is claimed with a conditional UPDATE (shredded_at set only where
it is still empty and no hold was placed meanwhile), so of two watchers one
shreds it, once. A coordinator of the case's team may hold it (a legal
need: the reason sealed to the case key, audited) and release it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q

from tropa import vault
from tropa.accounts.models import Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import hooks, queue, search_index, stats
from tropa.cases.access import can_manage
from tropa.cases.models import FLAGS, Case, CaseLabel, Outcome, Status
from tropa.core import clock
from tropa.keyring import actions as keyring

MAX_REASON = 2000
BATCH = 500


class Refused(ValueError):
    """Not a coordinator of the case's team, or a case that cannot be held now."""


@dataclass(frozen=True)
class Retention:
    shred_on: datetime | None  # None: kept while the case is open
    rule: str  # "closed", "unanswered", or "" (open)
    held: bool


def _closed_days(outcome: str = "") -> timedelta:
    days = settings.TROPA_RETAIN_CLOSED_BY_OUTCOME.get(outcome, settings.TROPA_RETAIN_CLOSED_DAYS)
    return timedelta(days=days)


def check_settings() -> None:
    """At start-up: every outcome named in TROPA_RETAIN_CLOSED_BY_OUTCOME exists."""
    unknown = set(settings.TROPA_RETAIN_CLOSED_BY_OUTCOME) - set(Outcome.values)
    if unknown:
        raise ImproperlyConfigured(
            f"TROPA_RETAIN_CLOSED_BY_OUTCOME names no outcome: {', '.join(sorted(unknown))}"
            f" (outcomes: {', '.join(Outcome.values)})"
        )


def _unanswered_days() -> timedelta:
    return timedelta(days=settings.TROPA_RETAIN_UNANSWERED_DAYS)


def of(case: Case) -> Retention:
    """When this case will be shredded, by which rule, and whether it is held."""
    held = case.held_at is not None
    if case.status == Status.CLOSED and case.closed_at is not None:
        return Retention(case.closed_at + _closed_days(case.outcome), "closed", held)
    if case.status == Status.NEW and case.replied_at is None:
        return Retention(case.updated_at + _unanswered_days(), "unanswered", held)
    return Retention(None, "", held)


def _due(now: datetime) -> Q:
    special = settings.TROPA_RETAIN_CLOSED_BY_OUTCOME
    closed = Q(status=Status.CLOSED, closed_at__lt=now - _closed_days()) & ~Q(
        outcome__in=list(special)
    )
    for outcome in special:
        closed |= Q(
            status=Status.CLOSED, outcome=outcome, closed_at__lt=now - _closed_days(outcome)
        )
    unanswered = Q(
        status=Status.NEW, replied_at__isnull=True, updated_at__lt=now - _unanswered_days()
    )
    return (closed | unanswered) & Q(shredded_at__isnull=True, held_at__isnull=True)


def hold(case: Case, actor: Staff, case_keys: vault.KeyPair, reason: str) -> None:
    reason = reason.strip()
    if not can_manage(actor, case) or case.shredded_at is not None:
        raise Refused
    if not reason or len(reason) > MAX_REASON:
        raise Refused
    sealed = vault.seal_case_message(case_keys.public_key, reason)
    with transaction.atomic():
        now = clock.now()
        held = Case.objects.filter(pk=case.pk, shredded_at__isnull=True).update(
            held_at=now, held_by=actor, sealed_hold_reason=sealed
        )
        if not held:
            raise Refused
        case.held_at, case.held_by, case.sealed_hold_reason = now, actor, sealed
        record(actor, Action.CASE_HELD, case_id=case.pk)


def release(case: Case, actor: Staff) -> None:
    if not can_manage(actor, case) or case.held_at is None:
        raise Refused
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(held_at=None, held_by=None, sealed_hold_reason=b"")
        case.held_at, case.held_by, case.sealed_hold_reason = None, None, b""
        record(actor, Action.CASE_RELEASED, case_id=case.pk)


def hold_reason(case: Case, case_keys: vault.KeyPair) -> str | None:
    """The sealed reason, or None when the stored one does not open."""
    if not case.sealed_hold_reason:
        return ""
    try:
        return vault.open_case_message(case_keys, bytes(case.sealed_hold_reason))
    except vault.VaultError:
        return None


def shred_due() -> int:
    """Watcher job: shred every case whose retention period is over."""
    now = clock.now()
    count = 0
    for case_id in list(Case.objects.filter(_due(now)).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            # The claim: only where still due (not shredded, not held meanwhile).
            if not Case.objects.filter(_due(now), pk=case_id).update(shredded_at=now):
                continue
            _shred(Case.objects.select_related("keyring").get(pk=case_id), now)
            count += 1
    return count


def _shred(case: Case, now: datetime) -> None:
    with stats.counted(case, relabel=True):
        if case.status == Status.NEW:  # nobody answered: closed as lost, counted so
            case.status, case.outcome, case.closed_at = Status.CLOSED, Outcome.LOST_CONTACT, now
        CaseLabel.objects.filter(case=case).delete()
    queue.withdrawn(case)
    for hook in hooks.SHREDDED:
        hook(case)
    case.messages.all().delete()
    case.attachments.all().delete()
    case.tasks.all().delete()
    case.assignments.all().delete()
    case.requesters.all().delete()
    search_index.forget(case)
    Case.objects.filter(pk=case.pk).update(
        status=case.status,
        outcome=case.outcome,
        closed_at=case.closed_at,
        alias="",
        sealed_intake=b"",
        sealed_hold_reason=b"",
        priority=0,
        staff_count=0,
        waiting_since=None,
        **{flag: False for flag in FLAGS},
    )
    keyring.crypto_shred(case.keyring)
    record(None, Action.CASE_SHREDDED, case_id=case.pk)
