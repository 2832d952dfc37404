"""Appending to a case timeline, in order, whoever writes at the same moment."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from tropa.cases import queue, stats
from tropa.cases.models import Case, Kind, Message
from tropa.core import clock


def append(case: Case, kind: str, sealed_body: bytes, author: object = None) -> Message:
    """Add an entry numbered after every earlier one of its case.

    The UPDATE takes the case row's lock until commit, so two writers (the
    requester and a consultant) get distinct numbers on PostgreSQL as on
    SQLite. A requester's message starts the wait for an answer; a reply ends it.
    """
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(
            message_count=F("message_count") + 1, updated_at=clock.now()
        )
        if kind == Kind.FROM_REQUESTER:  # now an answer is owed, if none was
            Case.objects.filter(pk=case.pk, waiting_since__isnull=True).update(
                waiting_since=clock.to_minute(clock.now())
            )
        elif kind == Kind.REPLY:
            now = clock.to_minute(clock.now())
            Case.objects.filter(pk=case.pk).update(waiting_since=None, replied_at=now)
            if Case.objects.filter(pk=case.pk, first_reply_at=None).update(first_reply_at=now):
                first = Case.objects.get(pk=case.pk)
                first.first_reply_at = None
                with stats.counted(first):
                    first.first_reply_at = now
        queue.entry_added(case, kind, author)
        seq = Case.objects.values_list("message_count", flat=True).get(pk=case.pk)
        return Message.objects.create(
            case=case,
            kind=kind,
            seq=seq,
            author=author,
            created_at=clock.now(),  # the field keeps it to the minute
            sealed_body=sealed_body,
        )
