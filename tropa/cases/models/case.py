"""Cases, their timelines, assignments and tasks.

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
    # The language the person wrote in (coded, like the flags): routes the
    # case to staff who speak it (tropa/core/languages.py).
    language = models.CharField(max_length=8, default="ru")
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
    # When we first replied: the statistics' time to first response.
    first_reply_at = CoarseDateTimeField(precision="minute", null=True, blank=True)
    # How many staff are on the case (its Assignments): kept by assign and
    # unassign so that "nobody on it" is an index count, not a join.
    staff_count = models.PositiveSmallIntegerField(default=0)
    # The answers, as JSON, sealed to the case key.
    sealed_intake = models.BinaryField()
    # Retention (tropa/cases/retention.py): a legal hold keeps the case past
    # its period (the reason sealed to the case key); shredded_at says the
    # content is gone and the row is only a trace for the statistics.
    held_at = CoarseDateTimeField(precision="minute", null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed_hold_reason = models.BinaryField(default=b"", blank=True)
    shredded_at = CoarseDateTimeField(precision="minute", null=True, blank=True)

    class Meta:
        indexes = [
            # The triage inbox: ordered by priority and age, and covering every
            # column its filters and counts read, so the counts per filter value
            # scan only this index, never the (wide, sealed) case rows.
            models.Index(
                fields=[
                    "status",
                    "-priority",
                    "received_at",
                    "situation",
                    "region_group",
                    *FLAGS,
                    "language",
                ],  # fmt: skip
                name="case_inbox",
            ),
            # A coordinator's home: each count a range over one of these,
            # which cover it (the status last, so that the range comes first).
            # Not partial indexes: SQLite cannot match their condition against
            # the bound parameters Django sends.
            models.Index(
                fields=["team", "waiting_since", "replied_at", "status"], name="case_waiting"
            ),
            models.Index(fields=["team", "replied_at", "triaged_at", "status"], name="case_quiet"),
            models.Index(
                fields=["team", "staff_count", "triaged_at", "status"], name="case_unstaffed"
            ),
            # The surge view's queue growth: requests per hour.
            models.Index(fields=["received_at"], name="case_received"),
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
    # The person's queue on this case, kept in step by the writes that change
    # it (tropa/cases/queue.py) so that a consultant's home counts an index of
    # their own rows, not a join over every case they hold:
    # whether the case is open (the case's status),
    is_open = models.BooleanField(default=True)
    # since when the person on the case has been waiting for us (the case's),
    waiting_since = CoarseDateTimeField(precision="minute", null=True, blank=True)
    # and since when something on it is new to this staff member (None: they
    # have read it all; what LastSeen says, as a time to sort by).
    unread_since = CoarseDateTimeField(precision="minute", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "staff"], name="one_assignment_per_staff")
        ]
        indexes = [
            models.Index(fields=["staff", "is_open"], name="caseload"),
            # The time before is_open: Django writes "is_open" as a bare
            # column, which no index can seek on, so the range must come first.
            models.Index(fields=["staff", "waiting_since", "is_open"], name="my_waiting"),
            models.Index(fields=["staff", "unread_since", "is_open"], name="my_unread"),
            # The cases a person is on, read from the index alone (the
            # applications and deadlines of "my cases" on the home page)
            models.Index(fields=["staff", "case"], name="my_cases"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} on {self.case_id}"


class TaskKind(models.TextChoices):
    """What made a task: staff, or a date another app keeps (plaintext, coded)."""

    STAFF = "", _("A task")
    LEGAL = "legal", _("Legal deadline")
    APPLICATION = "application", _("Application date")


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=TaskKind.choices, blank=True, default="")
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
