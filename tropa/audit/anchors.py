"""Summarising old audit entries, and re-anchoring the chain after them.

Entries older than TROPA_RETAIN_AUDIT_DAYS name who opened which case, long
after the case itself was shredded. The watcher replaces them with an
Anchor: how many entries of each action each month had (no actor, no case),
the hash of the last entry replaced, and its own hash, chained to the
previous anchor. Before it deletes anything it checks the stretch it
replaces; a broken stretch is never summarised (the break would vanish with
it): the job refuses and `tropa audit verify` keeps reporting it.

Why `tropa audit verify` still holds: the first entry kept names, as its
previous hash, the hash of the last entry replaced, which the anchor keeps
and its own hash covers. Verification checks the anchors' chain (each
follows the one before, accounts for exactly the entries it replaced, and
hashes to what it says), then walks the entries from the newest anchor as it
always walked them from the beginning. Removing or editing an entry, or an
anchor, breaks one of these links, as before. What no chain without an
outside witness can show is a wholesale rewrite by someone holding the
database; the head hash `tropa audit verify` prints is worth writing down
outside the server from time to time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from tropa.audit.log import lock_chain, record, verify, verify_anchors
from tropa.audit.models import GENESIS, Action, Anchor, Entry
from tropa.core import clock


class BrokenChain(Exception):
    """The stretch to summarise does not verify: it is left as it is."""


def summarise_before(cutoff: datetime) -> int:
    """Replace the entries older than `cutoff` by an anchor. Returns how many."""
    with transaction.atomic():
        lock_chain()
        newest, problem, _count = verify_anchors()
        if problem:
            raise BrokenChain(problem)
        start = newest.through_seq + 1 if newest is not None else 1
        first_kept = (
            Entry.objects.filter(seq__gte=start, at__gte=cutoff).order_by("seq").values("seq")[:1]
        )
        kept = list(first_kept)
        through = (
            kept[0]["seq"] - 1
            if kept
            else Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
        )
        if through is None or through < start:
            return 0
        verdict = verify(start=newest, through=through)
        if not verdict.ok or verdict.checked != through - start + 1:
            raise BrokenChain(verdict.reason or "the stretch is incomplete")
        summary: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        last_hash = ""
        for at, action, hashed in (
            Entry.objects.filter(seq__gte=start, seq__lte=through)
            .order_by("seq")
            .values_list("at", "action", "hash")
            .iterator(chunk_size=5000)
        ):
            summary[f"{at:%Y-%m}"][action] += 1
            last_hash = hashed
        anchor = Anchor(
            through_seq=through,
            through_hash=last_hash,
            entries=through - start + 1,
            summary={month: dict(actions) for month, actions in sorted(summary.items())},
            made_at=clock.to_minute(clock.now()),
            prev_hash=newest.hash if newest is not None else GENESIS,
        )
        anchor.hash = anchor.compute_hash()
        anchor.save(force_insert=True)
        Entry.objects.filter(seq__gte=start, seq__lte=through).delete()
        record(None, Action.AUDIT_SUMMARISED, count=anchor.entries)
    return anchor.entries


def summarise_old() -> int:
    """Watcher job: summarise what is older than the retention period. Cheap
    when there is nothing to do: one look at the oldest entry."""
    cutoff = clock.now() - timedelta(days=settings.TROPA_RETAIN_AUDIT_DAYS)
    oldest = Entry.objects.order_by("seq").values_list("at", flat=True).first()
    if oldest is None or oldest >= cutoff:
        return 0
    try:
        return summarise_before(cutoff)
    except BrokenChain:
        return 0  # left for `tropa audit verify` to report; nothing is deleted
