from __future__ import annotations

import re
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa import vault
from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    COORDINATOR = "coordinator", _("Coordinator")
    CONSULTANT = "consultant", _("Consultant")
    ANALYST = "analyst", _("Analyst")
    # A temporary volunteer in surge mode: reads and sorts new requests only.
    TRIAGE = "triage", _("Triage volunteer")


class Language(models.TextChoices):
    RU = "ru", "Русский"
    EN = "en", "English"


username_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9._-]{1,39}$",
    _("2 to 40 characters: Latin letters, digits, dots, hyphens, underscores."),
    flags=re.IGNORECASE,
)


# The team new accounts and requests fall into (tropa/accounts/actions.py: default_team).
DEFAULT_TEAM_NAME = "Main"


class Team(models.Model):
    """Need-to-know: a triaged case belongs to one team; its coordinators see it."""

    name = models.CharField(max_length=60, unique=True)
    # The escalation ladder for missed check-ins (tropa/journeys/escalation.py).
    duty_coordinator = models.ForeignKey(
        "accounts.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalate_to_duty_minutes = models.PositiveSmallIntegerField(default=15)
    escalate_to_team_minutes = models.PositiveSmallIntegerField(default=15)
    # Response targets, in hours: a new case's first reply, and each answer
    # after the person writes again. Cases past them stand out.
    first_response_hours = models.PositiveSmallIntegerField(default=24)
    next_response_hours = models.PositiveSmallIntegerField(default=24)
    # An open case with nothing from us for this many days is "stale".
    stale_after_days = models.PositiveSmallIntegerField(default=7)

    def __str__(self) -> str:
        """The name, but the team every helpline starts with in the reader's language."""
        if self.name == DEFAULT_TEAM_NAME:
            return str(_("Main team"))
        return self.name


class Profession(models.TextChoices):
    """What a staff member does besides their role: routes legal work to
    lawyers and psychological support to psychologists."""

    NONE = "", _("—")
    LAWYER = "lawyer", _("Lawyer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")


class StaffManager(BaseUserManager["Staff"]):
    def get_by_natural_key(self, username: str | None) -> Staff:
        return self.get(username=(username or "").strip().lower())


class Staff(AbstractBaseUser):
    """A staff account. Its X25519 private key is stored only wrapped under its password."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(max_length=40, unique=True, validators=[username_validator])
    role = models.CharField(max_length=12, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.RU)
    created_at = models.DateTimeField(default=clock.now)
    must_change_password = models.BooleanField(default=False)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    # Where "there is something new" e-mails go; optional, staff-side data.
    email = models.EmailField(blank=True, default="")
    notify_by_email = models.BooleanField(default=True)
    profession = models.CharField(max_length=12, choices=Profession.choices, blank=True, default="")
    # Languages the person can talk to requesters in, besides Russian (codes
    # of tropa/core/languages.py): shown when a case is assigned.
    speaks = models.JSONField(default=list, blank=True)
    # When a colleague marked this person in danger (detained, device lost):
    # the account is disabled and holds no key (tropa/cases/danger.py).
    in_danger_at = models.DateTimeField(null=True, blank=True)
    # An optional second password (a password hash, never the password): signing
    # in with it opens a decoy workspace and marks this person in danger
    # (tropa/accounts/duress.py).
    # A temporary account stops working at this moment (surge volunteers).
    expires_at = models.DateTimeField(null=True, blank=True)
    duress_password = models.CharField(max_length=128, blank=True, default="")
    # Set on a decoy account only: the colleague whose duress password opened it.
    decoy_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="decoys"
    )

    public_key = models.BinaryField()
    wrapped_secret = models.BinaryField()
    kdf_salt = models.BinaryField()
    kdf_opslimit = models.PositiveBigIntegerField()
    kdf_memlimit = models.PositiveBigIntegerField()
    keys_created_at = models.DateTimeField(default=clock.now)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["role"]

    objects = StaffManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.username

    @property
    def has_keys(self) -> bool:
        """False until the person chooses their own first password (and after an
        admin reset): no key pair is ever wrapped under a temporary password."""
        return bool(self.public_key) and bool(self.wrapped_secret)

    def wrapped_key(self) -> vault.WrappedStaffKey:
        return vault.WrappedStaffKey(
            public_key=bytes(self.public_key),
            wrapped_secret=bytes(self.wrapped_secret),
            salt=bytes(self.kdf_salt),
            opslimit=self.kdf_opslimit,
            memlimit=self.kdf_memlimit,
        )

    def forget_keys(self) -> None:
        """No key pair until the person chooses a password of their own."""
        self.public_key = b""
        self.wrapped_secret = b""
        self.kdf_salt = b""
        self.kdf_opslimit = 0
        self.kdf_memlimit = 0

    def store_wrapped_key(self, wrapped: vault.WrappedStaffKey) -> None:
        self.public_key = wrapped.public_key
        self.wrapped_secret = wrapped.wrapped_secret
        self.kdf_salt = wrapped.salt
        self.kdf_opslimit = wrapped.opslimit
        self.kdf_memlimit = wrapped.memlimit


class LoginThrottle(models.Model):
    """Failed sign-ins per username, never per address.

    Keyed by a keyed hash of the typed username, so unknown names are throttled
    exactly like real ones and the table does not list who tried what.
    """

    key = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"throttle {self.key[:8]}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Shift(models.Model):
    """A duty coordinator's shift (tropa/accounts/roster.py): every week on a
    weekday, or once on a date; or, with `off`, a day the weekly one does not
    hold. Times are the helpline's; a shift whose end is not after its start
    runs past midnight."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shifts")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    on = models.DateField(null=True, blank=True)
    starts = models.TimeField()
    ends = models.TimeField()
    off = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["team", "weekday"], name="shift_week")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__isnull=False, on__isnull=True)
                | models.Q(weekday__isnull=True, on__isnull=False),
                name="shift_weekly_or_dated",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.weekday if self.on is None else self.on} {self.starts}"


class HandoverNote(models.Model):
    """What a duty coordinator leaves for the next (tropa/accounts/handover.py):
    the text sealed to a key pair of its own, whose copies go to the team's
    coordinators of the moment; shredded after TROPA_HANDOVER_DAYS."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="handovers")
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    written_at = CoarseDateTimeField(precision="minute", default=clock.now)
    keyring = models.OneToOneField("keyring.Keyring", on_delete=models.PROTECT, related_name="+")
    sealed_text = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["team", "written_at"], name="handover_team")]

    def __str__(self) -> str:
        return f"handover {self.pk}"
