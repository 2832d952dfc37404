"""Append to and verify the audit chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction

from tropa.audit.models import GENESIS, Action, Anchor, Entry
from tropa.core import clock

# A staff account (tropa.accounts is a layer above the log).
Staff = AbstractBaseUser

# Any constant shared by every writer: on PostgreSQL one advisory lock orders
# the chain; SQLite's IMMEDIATE transactions already write one at a time.
_CHAIN_LOCK = 7_411_226


def record(
    actor: Staff | None,
    action: Action,
    *,
    case_id: uuid.UUID | None = None,
    target: Staff | None = None,
    count: int | None = None,
) -> Entry:
    """Append one entry to the chain, in the caller's transaction if there is one."""
    with transaction.atomic():
        lock_chain()
        last = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
        if last is None:  # every entry so far is summarised: go on from the anchor
            last = (
                Anchor.objects.order_by("-through_seq")
                .values_list("through_seq", "through_hash")
                .first()
            )
        entry = Entry(
            seq=(last[0] + 1) if last else 1,
            at=clock.to_minute(clock.now()),  # the hash covers what is stored
            actor=actor,
            action=action,
            case_id=case_id,
            target_staff=target,
            count=count,
            prev_hash=last[1] if last else GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""
    summarised: int = 0  # entries older than the chain, kept as counts in anchors
    head: str = GENESIS  # the newest entry's hash: worth noting outside the server


def lock_chain() -> None:
    """Inside a transaction: write to the chain one at a time (PostgreSQL;
    SQLite's IMMEDIATE transactions already do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def verify_anchors() -> tuple[Anchor | None, str, int]:
    """The anchors' own chain: (the newest anchor, what is wrong or "", how
    many entries they summarise)."""
    previous, last, summarised = GENESIS, None, 0
    for anchor in Anchor.objects.order_by("through_seq"):
        if anchor.prev_hash != previous:
            return last, "an anchor does not follow the one before it", summarised
        if anchor.compute_hash() != anchor.hash:
            return last, "an anchor was changed", summarised
        since = last.through_seq if last is not None else 0
        if anchor.through_seq - since != anchor.entries:
            return last, "an anchor does not account for every entry it replaced", summarised
        previous, last, summarised = anchor.hash, anchor, summarised + anchor.entries
    return last, "", summarised


def verify(
    batch: int = 5000, *, start: Anchor | None = None, through: int | None = None
) -> Verdict:
    """Walk the chain from its newest anchor (or the beginning); report the
    first entry where it breaks. `start` and `through` check a stretch only."""
    summarised = 0
    if start is None and through is None:
        start, problem, summarised = verify_anchors()
        if problem:
            seq = start.through_seq if start is not None else 0
            return Verdict(False, 0, seq, problem)
    expected_prev = start.through_hash if start is not None else GENESIS
    expected_seq = start.through_seq + 1 if start is not None else 1
    checked = 0
    after = expected_seq - 1
    while True:
        rows = Entry.objects.filter(seq__gt=after).order_by("seq")
        if through is not None:
            rows = rows.filter(seq__lte=through)
        page = list(rows[:batch])
        if not page:
            return Verdict(True, checked, summarised=summarised, head=expected_prev)
        for entry in page:
            if entry.seq != expected_seq:
                return Verdict(False, checked, expected_seq, "an entry is missing")
            if entry.prev_hash != expected_prev:
                return Verdict(False, checked, entry.seq, "it does not follow the entry before it")
            if entry.compute_hash() != entry.hash:
                return Verdict(False, checked, entry.seq, "its contents were changed")
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
            after = entry.seq
