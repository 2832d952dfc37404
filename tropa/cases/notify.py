"""Telling staff that something is waiting, without saying what.

No case content and no alias ever go into a notification: an e-mail account is
easier to seize than the server. Notifications are queued in the outbox
(tropa/journeys/models.py) in the same transaction as the change they announce,
and the watcher delivers them, retrying until they are delivered.
"""

from __future__ import annotations

from tropa.accounts.models import Staff

KINDS = {"assigned", "message", "task_due"}


def notify(staff: Staff, kind: str) -> bool:
    """Queue a notification for `staff`. Returns whether one was queued."""
    from tropa.journeys.notifiers import queue

    assert kind in KINDS
    return staff.is_active and queue([staff], kind) > 0
