"""The directory of trusted partners and route points, and referrals on cases.

The directory is sealed whole to a directory key (a keyring sealed to every
active staff member and the recovery key, rotated when someone leaves): an
entry's row says only that it is a service or a route point, when it was last
verified and by whom. A referral keeps plaintext only its coded kind and
status, and coarse times; consent, what was shared and notes are sealed to
the case key; a psychological session's note is sealed to the psychologists
on the case and the team's coordinators only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Directory(models.Model):
    """The directory's current key. A rotation makes a new row and shreds the old."""

    keyring = models.OneToOneField("keyring.Keyring", on_delete=models.PROTECT, related_name="+")
    created_at = CoarseDateTimeField(precision="minute", default=clock.now)
    current = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"directory key {self.keyring_id}"


class EntryType(models.TextChoices):
    SERVICE = "service", _("Service")
    ROUTE_POINT = "route_point", _("Route point")


class ServiceKind(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    DOCTOR = "doctor", _("Doctor")
    LAWYER = "lawyer", _("Lawyer")
    SHELTER = "shelter", _("Shelter")
    INTERPRETER = "interpreter", _("Interpreter")
    NGO = "ngo", _("Organisation (NGO)")
    OTHER = "other", _("Other")


class PointStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RISKY = "risky", _("Risky")
    CLOSED_MEN = "closed_men", _("Closed for men of draft age")
    UNKNOWN = "unknown", _("Unknown")


DANGEROUS = (PointStatus.RISKY, PointStatus.CLOSED_MEN)


class Entry(models.Model):
    """One service or route point. Everything it says (name, kind, languages,
    places, contacts, how to refer, status and its note) is sealed to the
    directory key, padded to one size."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=12, choices=EntryType.choices)
    sealed = models.BinaryField()
    verified_on = models.DateField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.type} {str(self.id)[:8]}"


class LegPoint(models.Model):
    """A journey leg passes a route point (which one is sealed in the directory)."""

    leg = models.ForeignKey("journeys.Leg", on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["leg", "point"], name="one_leg_point")]

    def __str__(self) -> str:
        return f"{self.leg_id} via {self.point_id}"


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONSENTED = "consented", _("The person consented")
    SENT = "sent", _("Sent to the partner")
    ACCEPTED = "accepted", _("Accepted by the partner")
    FIRST_APPOINTMENT = "first", _("First appointment")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")


# Statuses that need the person's recorded consent first
AFTER_CONSENT = ("sent", "accepted", "first", "ongoing", "completed")
OPEN_REFERRAL = ("proposed", "consented", "sent", "accepted", "first", "ongoing")


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Entry, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=ServiceKind.choices)
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default="proposed")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    consented_at = CoarseDateTimeField(precision="minute", null=True, blank=True)
    status_at = CoarseDateTimeField(precision="minute", default=clock.now)
    next_date = models.DateField(null=True, blank=True)
    task = models.ForeignKey("cases.Task", null=True, on_delete=models.SET_NULL, related_name="+")
    # Psychological support: when the last session was held, and the claim of
    # the follow-up reminder sent when none is booked for 14 days
    last_session_on = models.DateField(null=True, blank=True)
    followup_sent_on = models.DateField(null=True, blank=True)
    # What the person agreed may be shared, what was shared, notes: sealed
    sealed_details = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["status", "next_date"], name="referral_queue")]

    def __str__(self) -> str:
        return f"referral {str(self.id)[:8]} ({self.kind}, {self.status})"


class Session(models.Model):
    """A psychological session held. Its note is sealed to the psychologists on
    the case and the team's coordinators, not to the case key."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sealed_note = models.BinaryField()

    def __str__(self) -> str:
        return f"session on {self.held_on}"
