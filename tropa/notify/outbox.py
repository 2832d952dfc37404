"""Queueing notifications with the change they announce, and delivering them.

`tell` and `queue` add outbox rows inside the caller's transaction, so a
notification exists exactly when its change committed. `deliver_outbox` is a
watcher job: it claims each row with a conditional UPDATE, as every watcher
job does, so several watchers never send the same row twice, and a failure is
retried with back-off until delivered.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from tropa.accounts.models import Staff
from tropa.core import clock
from tropa.notify.models import NotificationKind, Outbox
from tropa.notify.notifiers import DeliveryFailed, channels_for, notifier_for

BATCH = 500
CLAIM_SECONDS = 60
MAX_BACKOFF = timedelta(minutes=30)


def queue(people: list[Staff], kind: NotificationKind, *, always_email: bool = False) -> int:
    """One outbox row per person and channel that should tell them; how many."""
    kind = NotificationKind(kind)
    rows = [
        Outbox(staff=person, kind=kind, channel=channel)
        for person in people
        for channel in channels_for(person, always_email=always_email)
    ]
    Outbox.objects.bulk_create(rows)
    return len(rows)


def tell(staff: Staff, kind: NotificationKind) -> bool:
    """Queue a notification for one active staff member. Returns whether one was queued."""
    return staff.is_active and queue([staff], kind) > 0


# After this many tries a notification counts as failing (the home page, the journeys page).
FAILING_AFTER = 3


def failed_deliveries(min_attempts: int, limit: int = 200) -> list[Outbox]:
    """Notifications not delivered after several tries (no case content in them)."""
    return list(
        Outbox.objects.filter(attempts__gte=min_attempts, delivered_at__isnull=True)
        .select_related("staff")
        .order_by("next_attempt_at")[:limit]
    )


def deliver_outbox() -> int:
    """Send what is waiting; a failure is retried with back-off until delivered."""
    now = clock.now()
    waiting = (
        Outbox.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .select_related("staff")
        .order_by("next_attempt_at")[:BATCH]
    )
    sent = 0
    for row in waiting:
        claimed = (
            Outbox.objects.filter(pk=row.pk, delivered_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
        if claimed != 1:
            continue
        try:
            notifier_for(row.channel).send(row.staff, NotificationKind(row.kind))
        except DeliveryFailed as error:
            attempts = row.attempts + 1
            backoff = min(timedelta(seconds=30) * (2 ** (attempts - 1)), MAX_BACKOFF)
            Outbox.objects.filter(pk=row.pk).update(
                attempts=attempts,
                next_attempt_at=now + backoff,
                claimed_until=None,
                last_error=str(error)[:200],
            )
            continue
        Outbox.objects.filter(pk=row.pk).update(
            delivered_at=clock.now(), attempts=row.attempts + 1, claimed_until=None, last_error=""
        )
        sent += 1
    return sent
