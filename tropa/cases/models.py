"""Cases and their timelines.

Plaintext here is only what DESIGN.md allows: random ids, coded situation,
flags, region group, priority, status, assignments, coarse times. Everything a
requester said is in the sealed fields, readable only with the case key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core import clock
from tropa.core.fields import CoarseDateTimeField


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    ACTIVE = "active", _("Active")
    IN_TRANSIT = "in_transit", _("In transit")
    SAFE = "safe", _("Safe")
    CLOSED = "closed", _("Closed")
    DISCARDED = "discarded", _("Discarded")
    MERGED = "merged", _("Merged into another case")
    DELETED = "deleted", _("Deleted by the requester")


OPEN_STATUSES = (Status.TRIAGED, Status.ACTIVE, Status.IN_TRANSIT, Status.SAFE)


class Outcome(models.TextChoices):
    AVOIDED = "avoided", _("Avoided conscription")
    LEFT_ARMY = "left_army", _("Left the army or the front")
    LEFT_COUNTRY = "left_country", _("Left the country")
    LEGAL_STATUS = "legal_status", _("Legal status obtained abroad")
    REFERRED = "referred", _("Referred elsewhere")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DETAINED = "detained", _("Detained")
    DECLINED = "declined", _("Declined help")
    OTHER = "other", _("Other")


class Situation(models.TextChoices):
    SUMMONS = "summons", _("Received a summons")
    MOBILISED = "mobilised", _("Called up or mobilised")
    CONTRACT = "contract", _("Serving under contract, wants out")
    AT_FRONT = "at_front", _("In a unit or at the front")
    AWOL = "awol", _("Absent from the unit")
    ABROAD = "abroad", _("Already abroad")
    RELATIVE = "relative", _("Asking for a relative")
    OTHER = "other", _("Other")


class RegionGroup(models.TextChoices):
    CENTRAL = "central", _("Central")
    NORTHWEST = "northwest", _("North-West")
    SOUTH = "south", _("South")
    NORTH_CAUCASUS = "north_caucasus", _("North Caucasus")
    VOLGA = "volga", _("Volga")
    URAL = "ural", _("Urals")
    SIBERIA = "siberia", _("Siberia")
    FAR_EAST = "far_east", _("Far East")
    OCCUPIED = "occupied", _("Occupied territories of Ukraine and Crimea")
    ABROAD = "abroad", _("Outside Russia")
    UNKNOWN = "unknown", _("Prefer not to say")


class Channel(models.TextChoices):
    """How something reached us: a request, a message, a check-in."""

    WEB = "web", _("Web form")
    TELEGRAM = "telegram", _("Telegram")
    STAFF = "staff", _("Recorded by staff")


FLAGS = (
    "flag_report_soon",
    "flag_front",
    "flag_awol",
    "flag_illness",
    "flag_poor_russian",
    "flag_deceived",
    "flag_relative",
)


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    keyring = models.OneToOneField("keyring.Keyring", on_delete=models.PROTECT, related_name="case")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    situation = models.CharField(max_length=12, choices=Situation.choices)
    region_group = models.CharField(
        max_length=16, choices=RegionGroup.choices, default=RegionGroup.UNKNOWN
    )
    priority = models.PositiveSmallIntegerField(default=0)
    # Coded flags triage filters on; the answers behind them are sealed.
    flag_report_soon = models.BooleanField(default=False)
    flag_front = models.BooleanField(default=False)
    flag_awol = models.BooleanField(default=False)
    flag_illness = models.BooleanField(default=False)
    flag_poor_russian = models.BooleanField(default=False)
    flag_deceived = models.BooleanField(default=False)
    flag_relative = models.BooleanField(default=False)
    alias = models.CharField(max_length=60, blank=True, default="")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True, default="")
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = CoarseDateTimeField(precision="hour")
    updated_at = CoarseDateTimeField(precision="minute", default=clock.now)
    questionnaire_version = models.PositiveIntegerField(default=1)
    # Timeline entries are numbered per case: times are kept coarse (to the
    # minute), so this number, not the time, orders the conversation.
    message_count = models.PositiveIntegerField(default=0)
    # Since when the person has been waiting for us: set when a request comes
    # in (its hour) or the person writes while no answer is owed, cleared by a
    # reply. What the staff home and the lists sort the waiting by; the times
    # are those of the timeline entries, no finer.
    waiting_since = CoarseDateTimeField(precision="minute", null=True, blank=True)
    # When we last replied (None: never, so a first response is owed).
    replied_at = CoarseDateTimeField(precision="minute", null=True, blank=True)
    # The answers, as JSON, sealed to the case key.
    sealed_intake = models.BinaryField()

    class Meta:
        indexes = [
            # The triage inbox: ordered by priority and age, and covering every
            # column its filters and counts read, so the counts per filter value
            # scan only this index, never the (wide, sealed) case rows.
            models.Index(
                fields=["status", "-priority", "received_at", "situation", "region_group", *FLAGS],
                name="case_inbox",
            ),
            models.Index(fields=["team", "status", "waiting_since"], name="case_waiting"),
            # The staff home's "nothing from us for N days" and "nobody on it"
            models.Index(fields=["team", "status", "replied_at"], name="case_replied"),
            models.Index(fields=["team", "status", "triaged_at"], name="case_triaged"),
        ]

    def __str__(self) -> str:
        return self.alias or f"case {str(self.id)[:8]}"

    @property
    def public_key(self) -> bytes:
        return bytes(self.keyring.public_key)


class Kind(models.TextChoices):
    FROM_REQUESTER = "in", _("Message from the requester")
    REPLY = "reply", _("Reply to the requester")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("Event")


class Message(models.Model):
    """One entry of a case timeline."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    seq = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = CoarseDateTimeField(precision="minute")
    # Requester messages and replies are sealed to both the requester and the
    # case (vault.seal_to_many); notes to the case key only.
    sealed_body = models.BinaryField()

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="timeline_order")]

    def __str__(self) -> str:
        return f"{self.kind} in {self.case_id}"


class Attachment(models.Model):
    """An encrypted file: ciphertext in chunks, its key and its name sealed to the case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    created_at = CoarseDateTimeField(precision="minute")
    sealed_file_key = models.BinaryField()
    # {"name": ..., "type": ..., "size": ...} as JSON, sealed to the requester and the case.
    sealed_meta = models.BinaryField()
    chunk_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"attachment {str(self.id)[:8]}"


class AttachmentChunk(models.Model):
    """Ciphertext only: one secretstream chunk (64 KiB of plaintext) per row.

    Kept in the database, not on a disk beside it, so a file commits with its
    message, several servers share it, and backups hold it.
    """

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attachment", "index"], name="one_chunk_per_index")
        ]

    def __str__(self) -> str:
        return f"{self.attachment_id}#{self.index}"


class Assignment(models.Model):
    """A staff member working on a case; the case key is sealed to them while it lasts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_at = models.DateTimeField(default=clock.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whether the case is open: kept in step with the case's status so that
    # caseloads count an index, not a join over every case ever assigned.
    is_open = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "staff"], name="one_assignment_per_staff")
        ]
        indexes = [models.Index(fields=["staff", "is_open"], name="caseload")]

    def __str__(self) -> str:
        return f"{self.staff_id} on {self.case_id}"


class BuiltinLabel(models.TextChoices):
    """Labels every helpline has; a team adds its own (Label.team)."""

    PRISONER = "prisoner", _("Prisoner recruit")
    FOREIGN = "foreign", _("Foreign national")
    ILLNESS = "illness", _("Serious illness")
    DECEIVED = "deceived", _("Deceived into a contract")
    RELATIVE = "relative", _("Relative asking")
    MINOR = "minor", _("Minor involved")
    PRESS = "press", _("Press-sensitive")


class Label(models.Model):
    """A label on cases: plaintext metadata, like the coded flags (docs/security.md).
    A built-in one has a `builtin` key and no team; a team's own has a name."""

    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="labels"
    )
    builtin = models.CharField(max_length=12, choices=BuiltinLabel.choices, blank=True, default="")
    name = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="one_label_name_per_team"),
        ]

    def __str__(self) -> str:
        return str(BuiltinLabel(self.builtin).label) if self.builtin else self.name


class CaseLabel(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_labels")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "label"], name="one_label_per_case")]
        indexes = [models.Index(fields=["label", "case"], name="cases_by_label")]

    def __str__(self) -> str:
        return f"{self.label_id} on {self.case_id}"


class SavedView(models.Model):
    """A staff member's saved filter of the case list, shown on their home page."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    # The case list's query string, as the filters wrote it (validated when used).
    query = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "name"], name="one_view_name")]

    def __str__(self) -> str:
        return self.name


class SearchIndex(models.Model):
    """A case's search terms, sealed to the case key (tropa/cases/search_index.py).

    Writers append a "delta" (the words of one new entry) with the case's
    public key alone: a requester's message needs no staff key. A search opens
    the case's rows with the case key, and keeps one "full" row per case,
    folding the deltas into it. Nothing of the words is plaintext.
    """

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    full = models.BooleanField(default=False)
    sealed_terms = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["case", "full"], name="search_rows")]

    def __str__(self) -> str:
        return f"search terms of {self.case_id}"


class LastSeen(models.Model):
    """How far into a case's timeline one staff member has read: what makes
    entries "unread" for them. Moved forward when they open the case page."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "case"], name="one_last_seen")]

    def __str__(self) -> str:
        return f"{self.staff_id} read {self.case_id} to {self.seq}"


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks"
    )
    # What to do may name places or people: sealed to the case key.
    sealed_title = models.BinaryField()
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    done_at = models.DateTimeField(null=True, blank=True)
    # Set (claimed) by the watcher when it tells the owner the task is due.
    due_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "done_at", "due_at"], name="my_tasks")]

    def __str__(self) -> str:
        return f"task {str(self.id)[:8]}"

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < clock.now()


class ReplyTemplate(models.Model):
    """Reusable reply text, managed by coordinators. Generic advice, not case data."""

    language = models.CharField(max_length=2, choices=[("ru", "Русский"), ("en", "English")])
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=10_000)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return self.title
