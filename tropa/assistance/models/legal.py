"""Legal help: the organisation's document templates and their versions,
deadline rules, and legal deadlines on cases (tropa/assistance/legal.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class DocumentTemplate(models.Model):
    """A .docx template of the organisation (not case data): a title, what it
    is for and which situations it fits. Each upload is a new version."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")  # the law it relies on
    situations = models.CharField(max_length=200, blank=True, default="")  # codes, comma-separated
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self) -> TemplateVersion | None:
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    docx = models.BinaryField()  # the template file as uploaded (organisation document)
    fields = models.JSONField(default=list)  # the placeholders it uses, checked on upload
    example = models.BooleanField(default=False)  # a starter, for lawyers to check and adapt
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class LegalEvent(models.TextChoices):
    SUMMONS = "summons", _("Summons received")
    DECISION = "decision", _("Draft board decision handed over")
    RULING = "ruling", _("Court ruling")
    DETENTION = "detention", _("Detention")
    OFFENCE = "offence", _("Administrative offence ruling")


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")


class DeadlineRule(models.Model):
    """How long after an event something must be done: defaults shipped with
    the law they come from, editable by coordinators; lawyers confirm them."""

    name = models.CharField(max_length=200)
    event = models.CharField(max_length=12, choices=LegalEvent.choices)
    period = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=12, choices=PeriodUnit.choices)
    # Whether a last day on a weekend or public holiday moves to the next working day
    moves_off_holidays = models.BooleanField(default=True)
    article = models.CharField(max_length=200, blank=True, default="")
    builtin = models.CharField(max_length=20, blank=True, default="")  # a default's key
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class LegalDeadline(models.Model):
    """A deadline on a case: the event's day, the rule, the day it falls on,
    and the task that reminds of it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
    # The case's team, copied when recorded: the coordinator's home counts by it
    team = models.ForeignKey(
        "accounts.Team", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="+")
    event_on = models.DateField()
    due_on = models.DateField()
    task = models.ForeignKey("cases.Task", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = CoarseDateTimeField(precision="minute", default=clock.now)

    class Meta:
        indexes = [
            models.Index(fields=["due_on"], name="deadline_due"),
            models.Index(fields=["team", "due_on"], name="deadline_team"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} due {self.due_on}"
