"""What the staff workspace keeps about cases for each person and team:
labels, saved views, the sealed search rows, how far each person has read and
how many open cases each one holds. Plaintext metadata (docs/security.md)
except the search rows, which are sealed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.cases.models.case import Case


class Caseload(models.Model):
    """How many open cases a staff member is on: counted again at each write
    that changes it (tropa/cases/queue.py), so that a team's caseloads are a
    row per person, not a count of every open assignment."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    open_cases = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.staff_id} on {self.open_cases} open cases"


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
