"""Published statistics: the key that signs them and each release as printed.

A release's document is the exact JSON that was signed (canonical: sorted
keys, no spaces); it is never recomputed. Its basis (the true counts behind
each printed figure, for the next release's differencing rule) is kept for
the helpline only and never published. Nothing here comes from a case but
counts.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class ReleaseKey(models.Model):
    """The signing key: its private half a keyring (purpose "release") sealed to
    the analysts, the admins and the recovery key; its verify key public."""

    keyring = models.OneToOneField("keyring.Keyring", on_delete=models.PROTECT, related_name="+")
    verify_key = models.BinaryField()
    created_at = CoarseDateTimeField(precision="hour", default=clock.now)

    def __str__(self) -> str:
        return f"release key {bytes(self.verify_key).hex()[:16]}"


class ReleaseStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class Release(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period = models.CharField(max_length=7)  # "2026-11" or "2026"
    number = models.PositiveSmallIntegerField(default=1)  # 2 when it superseded the first
    status = models.CharField(
        max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.PUBLISHED
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True, default="")  # why it superseded
    published_at = CoarseDateTimeField(precision="minute", default=clock.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.ForeignKey(ReleaseKey, on_delete=models.PROTECT, related_name="releases")
    document = models.TextField()  # the signed JSON, byte for byte
    signature = models.BinaryField()
    basis = models.JSONField(default=dict)  # table -> entry -> true count; never published

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="one_release_number"),
        ]
        indexes = [models.Index(fields=["status", "period"], name="release_list")]

    def __str__(self) -> str:
        return f"release {self.period} #{self.number}"
