"""Journey plans, legs, check-ins and alerts.

Plaintext is limited to what DESIGN.md allows: risk ratings, planned times,
check-in deadlines, statuses and counts. Titles, details, risk notes, backup
plans, the emergency protocol, contacts, the duress word and what each
check-in said are sealed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.cases.models import Channel
from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


RISK_ORDER = {Risk.LOW: 0, Risk.MEDIUM: 1, Risk.HIGH: 2, Risk.CRITICAL: 3}


class LegStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CheckInKind(models.TextChoices):
    """What a check-in said. Never a column: sealed to the case key (CheckIn.sealed_kind)."""

    SAFE = "safe", _("I am safe")
    HELP = "help", _("I need help")
    DURESS = "duress", _("Duress signal")


class AlertKind(models.TextChoices):
    """What a seized database may know of an alert: a deadline was missed (the
    watcher saw it), or a check-in came in. Whether that check-in said "safe",
    "help" or gave the duress word is sealed with the check-in."""

    MISSED = "missed", _("Missed check-in")
    CHECKIN = "checkin", _("Check-in to review")
    ROUTE = "route", _("A route point on the journey changed")


class Stage(models.IntegerChoices):
    CONSULTANTS = 0, _("Assigned consultants")
    DUTY = 1, _("Duty coordinator")
    TEAM = 2, _("All coordinators of the team")


class Plan(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="plan")
    # {"protocol": ..., "contacts": ...}, sealed to the case key.
    sealed_protocol = models.BinaryField(default=b"")
    # The pre-agreed duress word, sealed to the requester keys and the case key,
    # so a check-in can compare it with the requester's own key.
    sealed_duress = models.BinaryField(null=True, blank=True)
    # Per-plan overrides of the team's escalation ladder, in minutes.
    to_duty_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    to_team_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"plan of {self.case_id}"


class Leg(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="legs")
    position = models.PositiveSmallIntegerField()
    # {"title", "details", "risk_notes", "backup_plan"}, sealed to the case key.
    sealed_body = models.BinaryField()
    risk = models.CharField(max_length=8, choices=Risk.choices, default=Risk.MEDIUM)
    status = models.CharField(max_length=8, choices=LegStatus.choices, default=LegStatus.PLANNED)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    checkin_every_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    grace_minutes = models.PositiveSmallIntegerField(default=30)
    next_checkin_due = CoarseDateTimeField(precision="minute", null=True, blank=True)
    # Deadline plus grace: when the watcher raises the alert. Kept in step by
    # save(), indexed, so the watcher reads only legs that are truly overdue,
    # whatever mix of grace periods there is.
    alert_due_at = CoarseDateTimeField(precision="minute", null=True, blank=True)
    # The deadline an alert was raised for: the watcher's claim, so two
    # watchers never raise the same missed check-in twice.
    alerted_due = CoarseDateTimeField(precision="minute", null=True, blank=True)
    last_checkin_at = CoarseDateTimeField(precision="minute", null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # When it started and when it ended (done or failed): the statistics'
    # journeys started, completed and failed (tropa/journeys/stats.py).
    started_at = CoarseDateTimeField(precision="hour", null=True, blank=True)
    ended_at = CoarseDateTimeField(precision="hour", null=True, blank=True)
    # What the leg was when it failed, so a mistaken failure can be undone.
    failed_from = models.CharField(max_length=8, choices=LegStatus.choices, blank=True, default="")

    class Meta:
        ordering = ["plan", "position"]
        indexes = [models.Index(fields=["status", "alert_due_at"], name="due_checkins")]

    def __str__(self) -> str:
        return f"leg {self.position} of {self.plan_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.alert_due_at = self.alert_at
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "alert_due_at"}
        super().save(*args, **kwargs)

    @property
    def alert_at(self):  # type: ignore[no-untyped-def]
        if self.next_checkin_due is None:
            return None
        return self.next_checkin_due + timedelta(minutes=self.grace_minutes)


class CheckIn(models.Model):
    """One check-in. Safe, help and duress leave the same rows: the kind is
    sealed to the case key, and each raises the same check-in alert."""

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="checkins")
    # {"said": CheckInKind}, sealed to the case key.
    sealed_kind = models.BinaryField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    at = CoarseDateTimeField(precision="minute")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"check-in on {self.leg_id}"


class Alert(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="alerts")
    leg = models.ForeignKey(Leg, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=AlertKind.choices)
    # The check-in a CHECKIN alert is about: what it said is read from there.
    checkin = models.OneToOneField(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="alert"
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.CONSULTANTS)
    raised_at = CoarseDateTimeField(precision="minute")
    next_escalation_at = CoarseDateTimeField(precision="minute", null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["acknowledged_at", "next_escalation_at"], name="open_alerts")
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert on {self.case_id}"
