"""Where sealed keys live.

A Keyring is the public half of a key pair that protects something (one case,
or the intake team). Its private half exists only inside Envelopes: each is the
private key sealed to one recipient (a staff member, the intake team key, the
org recovery key). Grant adds an envelope, revoke deletes one, crypto-shred
deletes them all. With every envelope gone, nothing sealed to the keyring can
ever be opened again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Purpose(models.TextChoices):
    CASE = "case", _("Case")
    INTAKE = "intake", _("Intake team")
    DIRECTORY = "directory", _("Directory of partners")
    RELEASE = "release", _("Release signing key")
    HANDOVER = "handover", _("Handover note")


class RecipientKind(models.TextChoices):
    STAFF = "staff", _("Staff member")
    INTAKE = "intake", _("Intake team key")
    RECOVERY = "recovery", _("Organisation recovery key")


class OrgKeys(models.Model):
    """The organisation's standing public keys (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    recovery_public_key = models.BinaryField()
    intake = models.OneToOneField("Keyring", on_delete=models.PROTECT, related_name="+")
    created_at = CoarseDateTimeField(precision="hour", default=clock.now)

    def __str__(self) -> str:
        return "organisation keys"

    @classmethod
    def load(cls) -> OrgKeys:
        return cls.objects.select_related("intake").get(pk=1)


class Keyring(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    public_key = models.BinaryField()
    created_at = CoarseDateTimeField(precision="hour", default=clock.now)
    shredded_at = CoarseDateTimeField(precision="minute", null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose}:{self.id}"


class Envelope(models.Model):
    keyring = models.ForeignKey(Keyring, on_delete=models.CASCADE, related_name="envelopes")
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="envelopes",
    )
    # The public key this copy was sealed to. When it differs from the staff
    # member's current key (after an admin reset), the copy is stale and must be
    # re-granted by someone who can open the keyring, or restored with the
    # recovery key.
    recipient_public_key = models.BinaryField()
    sealed_secret = models.BinaryField()
    created_at = CoarseDateTimeField(precision="hour", default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["keyring", "staff"],
                condition=Q(recipient_kind="staff"),
                name="one_envelope_per_staff",
            ),
            models.UniqueConstraint(
                fields=["keyring", "recipient_kind"],
                condition=~Q(recipient_kind="staff"),
                name="one_envelope_per_org_key",
            ),
            models.CheckConstraint(
                condition=Q(recipient_kind="staff", staff__isnull=False)
                | (~Q(recipient_kind="staff") & Q(staff__isnull=True)),
                name="staff_envelope_names_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.keyring_id} for {self.recipient_kind}"
