"""Append to and verify the audit chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction

from tropa.audit.models import GENESIS, Action, Entry
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
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


def verify(batch: int = 5000) -> Verdict:
    """Walk the whole chain; report the first entry where it breaks."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    after = 0
    while True:
        rows = list(Entry.objects.filter(seq__gt=after).order_by("seq")[:batch])
        if not rows:
            return Verdict(ok=True, checked=checked)
        for entry in rows:
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
