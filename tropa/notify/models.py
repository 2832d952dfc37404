"""The outbox: notifications waiting to be delivered to staff.

A row says whom to tell, by which channel, and a kind: never case content, an
alias or a name. The watcher delivers rows (tropa/notify/outbox.py) and retries
with back-off until they are delivered.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Put on a case")
    MESSAGE = "message", _("The requester wrote")
    TASK_DUE = "task_due", _("A task is due")
    ALERT_MISSED = "alert_missed", _("Alert: missed check-in")
    ALERT_CHECKIN = "alert_checkin", _("Alert: a check-in to review")
    ALERT_ROUTE = "alert_route", _("Alert: a route point on a journey changed")
    LOOP_DOWN = "loop_down", _("The watcher or the bot stopped")
    COLLEAGUE_IN_DANGER = "in_danger", _("A colleague was marked in danger")

    @classmethod
    def for_alert(cls, alert_kind: str) -> NotificationKind:
        return cls(f"alert_{alert_kind}")

    @property
    def urgent(self) -> bool:
        return self in (
            self.ALERT_MISSED,
            self.ALERT_CHECKIN,
            self.ALERT_ROUTE,
            self.LOOP_DOWN,
            self.COLLEAGUE_IN_DANGER,
        )


class Outbox(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox"
    )
    channel = models.CharField(max_length=10, default="email")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    created_at = CoarseDateTimeField(precision="minute", default=clock.now)
    # First attempt: when it was queued, to the minute; retries: when due.
    next_attempt_at = models.DateTimeField(default=clock.now_to_minute)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["delivered_at", "next_attempt_at"], name="undelivered")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.staff_id}"
