"""Applications to safer countries: visas, asylum, legal status and return.

Plaintext, coded, is what queues and statistics need and no more: the
destination country, the route, the stage, the outcome, who leads it, the
dates that matter (to the day: they become tasks, whose due times are
plaintext already) and the checklist's progress. The consulate or office,
reference numbers, appointment details, notes and each checklist item's own
words are sealed to the case key (docs/assistance.md, docs/security.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Route(models.TextChoices):
    HUMANITARIAN_VISA = "humanitarian", _("Humanitarian visa")
    NATIONAL_VISA = "national_visa", _("National visa")
    ASYLUM = "asylum", _("Asylum")
    UNHCR = "unhcr", _("UNHCR registration")
    RESETTLEMENT = "resettlement", _("Resettlement")
    RESIDENCE = "residence", _("Residence permit")
    REPATRIATION = "repatriation", _("Return through the person's embassy")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    """In order: an application moves forward one or more stages at a time,
    back only with a reason (a refused appointment, a lost document)."""

    PREPARING = "preparing", _("Preparing")
    GATHERED = "gathered", _("Documents gathered")
    SUBMITTED = "submitted", _("Submitted")
    BOOKED = "booked", _("Appointment or interview booked")
    INTERVIEWED = "interviewed", _("Interview held")
    WAITING = "waiting", _("Waiting for a decision")
    DECIDED = "decided", _("Decided")
    APPEAL = "appeal", _("Appeal")
    CLOSED = "closed", _("Closed")


STAGE_ORDER = {stage: n for n, stage in enumerate(Stage)}
# Stages after which the papers are in: a missing document is then a problem.
SUBMITTED_STAGES = tuple(s for s in Stage if STAGE_ORDER[s] >= STAGE_ORDER[Stage.SUBMITTED])

# The stages each route goes through by default (a route may skip some: a
# return through an embassy has no interview; UNHCR registration no appeal).
ROUTE_STAGES: dict[str, tuple[str, ...]] = {
    Route.HUMANITARIAN_VISA: tuple(Stage),
    Route.NATIONAL_VISA: tuple(Stage),
    Route.ASYLUM: tuple(Stage),
    Route.UNHCR: (
        Stage.PREPARING,
        Stage.GATHERED,
        Stage.SUBMITTED,
        Stage.BOOKED,
        Stage.INTERVIEWED,
        Stage.DECIDED,
        Stage.CLOSED,
    ),
    Route.RESETTLEMENT: tuple(Stage),
    Route.RESIDENCE: tuple(Stage),
    Route.REPATRIATION: (
        Stage.PREPARING,
        Stage.GATHERED,
        Stage.SUBMITTED,
        Stage.WAITING,
        Stage.DECIDED,
        Stage.CLOSED,
    ),
    Route.OTHER: tuple(Stage),
}


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPEALED = "appealed", _("Appealed")
    GRANTED_ON_APPEAL = "granted_appeal", _("Granted on appeal")
    REFUSED_ON_APPEAL = "refused_appeal", _("Refused on appeal")


GRANTED = (Outcome.GRANTED, Outcome.GRANTED_ON_APPEAL)


class DateKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment")
    EXPIRY = "expiry", _("Document expires")
    DECISION = "decision", _("Decision expected")
    APPEAL_BY = "appeal_by", _("Appeal deadline")


class Application(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="applications")
    # The case's team, copied when the application is opened (a case keeps its
    # team): a coordinator's home counts the team's applications by this index.
    team = models.ForeignKey(
        "accounts.Team", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2
    route = models.CharField(max_length=14, choices=Route.choices)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.PREPARING)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True, default="")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = CoarseDateTimeField(precision="minute", default=clock.now)
    updated_at = CoarseDateTimeField(precision="minute", default=clock.now)
    # The nearest date still to come (or the oldest passed one): what the
    # list sorts and filters on, kept by the actions that change the dates.
    next_date = models.DateField(null=True, blank=True)
    # Checklist progress, kept by the checklist actions: items, items in hand.
    items = models.PositiveSmallIntegerField(default=0)
    items_ready = models.PositiveSmallIntegerField(default=0)
    # Consulate or office, reference numbers, appointment details, notes
    # (JSON), sealed to the case key and padded to one size.
    sealed_details = models.BinaryField()

    class Meta:
        indexes = [
            models.Index(fields=["case"], name="application_case"),
            models.Index(fields=["next_date", "stage"], name="application_next"),
            models.Index(fields=["team", "next_date"], name="application_team"),
        ]

    def __str__(self) -> str:
        return f"application {str(self.id)[:8]} ({self.country}, {self.route})"

    @property
    def missing_after_submission(self) -> bool:
        return self.stage in SUBMITTED_STAGES and self.items_ready < self.items


class KeyDate(models.Model):
    """A date that matters to an application, and the task that reminds of it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="dates")
    kind = models.CharField(max_length=12, choices=DateKind.choices)
    on = models.DateField()
    task = models.ForeignKey("cases.Task", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="one_date_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.on}"


class ItemStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    HAVE = "have", _("In hand")
    TRANSLATED = "translated", _("Translated")
    SUBMITTED = "submitted", _("Submitted")


READY = (ItemStatus.HAVE, ItemStatus.TRANSLATED, ItemStatus.SUBMITTED)


class ChecklistItem(models.Model):
    """One document of one application. What it is and any note about it are
    sealed: even "medical records" says something about a person."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default="missing")
    attachment = models.ForeignKey(
        "cases.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sealed_text = models.BinaryField()  # {"title": ..., "note": ...}, padded

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"item {self.position} of {self.application_id}"


class TemplateItem(models.Model):
    """A document the checklist of a new application starts with, per route.
    Generic ("passport", "translations"), edited by coordinators: no case data."""

    route = models.CharField(max_length=14, choices=Route.choices)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)

    class Meta:
        ordering = ["route", "position"]

    def __str__(self) -> str:
        return f"{self.route}: {self.title}"
