from __future__ import annotations

from django.db import models

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Heartbeat(models.Model):
    """The last time a background loop finished a cycle (one row per loop name)."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"beat_at": clock.now()})

    @classmethod
    def age_seconds(cls, name: str) -> float | None:
        row = cls.objects.filter(name=name).first()
        if row is None:
            return None
        return (clock.now() - row.beat_at).total_seconds()


class UsedBrowserValue(models.Model):
    """A browser-held value (tropa.core.session_secrets) that has been used up.

    Only a keyed hash of the value's random nonce, kept until the value would
    have expired anyway; nothing of the secret it carried.
    """

    key = models.CharField(max_length=64, primary_key=True)
    expires_at = CoarseDateTimeField(precision="hour_up")

    def __str__(self) -> str:
        return f"used {self.key[:8]}"


class Tally(models.Model):
    """Counts for statistics, kept in step with the cases in the same transaction
    (tropa/core/tally.py): content-free, so they outlive a shredded case and
    published figures stay true. One row per day (or month), measure and coded
    dimensions; 0 and "" stand for "none", so that the unique key holds."""

    day = models.DateField()
    measure = models.CharField(max_length=16)
    team = models.PositiveIntegerField(default=0)
    channel = models.CharField(max_length=10, default="")
    situation = models.CharField(max_length=12, default="")
    region = models.CharField(max_length=16, default="")
    value = models.CharField(max_length=16, default="")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "day", "team", "channel", "situation", "region", "value"],
                name="one_tally_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.day} {self.value}: {self.n}"


class Surge(models.Model):
    """Surge mode, helpline-wide (one row; tropa/core/surge.py reads it,
    tropa/cases/surge.py switches it). Public text only: nothing here is
    about anyone."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    on = models.BooleanField(default=False)
    since = CoarseDateTimeField(precision="minute", null=True, blank=True)
    # Cut the questionnaire to the questions marked "in_surge".
    short_questionnaire = models.BooleanField(default=True)
    # The helpline's own words on the self-help page, by language ("" = none).
    self_help = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return "surge on" if self.on else "surge off"
