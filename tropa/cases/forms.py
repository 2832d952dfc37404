"""Forms of the case page, the case list and the reply templates.

Forms only parse and check input; the views call the actions in
tropa/cases/actions.py (and tropa/cases/files.py) with what they clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tropa.accounts.models import Staff
from tropa.cases import retention
from tropa.cases.models import Outcome, ReplyTemplate, Status
from tropa.core import clock, languages

MAX_TEXT = 10_000
MAX_TASK_TITLE = 200

# The statuses staff choose on the case page; new and triaged are set by triage.
STATUS_CHOICES = [
    (Status.ACTIVE.value, Status.ACTIVE.label),
    (Status.IN_TRANSIT.value, Status.IN_TRANSIT.label),
    (Status.SAFE.value, Status.SAFE.label),
    (Status.CLOSED.value, Status.CLOSED.label),
]
LIST_FILTERS = [
    ("open", _("Open")),
    ("waiting", _("Waiting for our answer")),
    ("unread", _("Unread by me")),
    (Status.TRIAGED.value, Status.TRIAGED.label),
    (Status.ACTIVE.value, Status.ACTIVE.label),
    (Status.IN_TRANSIT.value, Status.IN_TRANSIT.label),
    (Status.SAFE.value, Status.SAFE.label),
    (Status.CLOSED.value, Status.CLOSED.label),
    ("all", _("All")),
]


QUEUES = ("waiting", "unread")


def text_area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PageForm(forms.Form):
    """One of several forms on the case page: element ids carry the form's name."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(PageForm):
    """A reply to the requester; the template select fills the text without JavaScript."""

    id_prefix = "reply"
    text = forms.CharField(
        label=_("Reply to the requester"),
        max_length=MAX_TEXT,
        required=False,
        widget=text_area(6),
        help_text=_("The requester reads this in the portal. Never write their codename."),
    )
    template = forms.TypedChoiceField(
        label=_("Reply template"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, templates: Iterable[ReplyTemplate] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in templates}
        choices: list[tuple[Any, str]] = [("", "—")]
        choices += [(pk, t.title) for pk, t in self.templates.items()]
        self.fields["template"].choices = choices  # type: ignore[attr-defined]

    def chosen_template(self) -> ReplyTemplate | None:
        pk = self.cleaned_data.get("template")
        return self.templates.get(pk) if pk is not None else None


class NoteForm(PageForm):
    id_prefix = "note"

    text = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_TEXT,
        widget=text_area(4),
        help_text=_("Only staff with access to this case read it; never the requester."),
        error_messages={"required": _("Write the note first.")},
    )


class UploadForm(PageForm):
    id_prefix = "upload"

    caption = forms.CharField(
        label=_("What these files are"), max_length=500, required=False, widget=text_area(2)
    )


class TaskForm(PageForm):
    id_prefix = "task"

    title = forms.CharField(
        label=_("Task"),
        max_length=MAX_TASK_TITLE,
        error_messages={"required": _("Say what needs doing.")},
    )
    owner = forms.TypedChoiceField(label=_("Who does it"), coerce=str)
    due = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"invalid": _("Write the date as day.month.year, for example 25.12.2026.")},
    )

    def __init__(self, *args: Any, owners: Iterable[Staff] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {str(s.pk): s for s in owners}
        self.fields["owner"].choices = [(pk, s.username) for pk, s in self.owners.items()]  # type: ignore[attr-defined]

    def clean_due(self) -> Any:
        due = self.cleaned_data.get("due")
        if due is not None and due < timezone.localdate(clock.now()):
            raise forms.ValidationError(_("That date has passed. Choose today or a later day."))
        if due is not None and (due - timezone.localdate(clock.now())).days > 5 * 366:
            raise forms.ValidationError(_("Choose a day within the next five years."))
        return due

    def due_at(self) -> datetime | None:
        """The end of the due day, in the helpline's time zone."""
        due = self.cleaned_data.get("due")
        if due is None:
            return None
        return datetime.combine(due, time(23, 59), tzinfo=timezone.get_current_timezone())

    def chosen_owner(self) -> Staff:
        return self.owners[self.cleaned_data["owner"]]


class StatusForm(PageForm):
    id_prefix = "status"

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", "—"), *Outcome.choices],
        help_text=_("Needed when closing the case."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Status.CLOSED and not data.get("outcome"):
            self.add_error("outcome", _("Choose an outcome to close the case."))
        return data


class AssignForm(PageForm):
    id_prefix = "assign"

    staff = forms.TypedChoiceField(label=_("Consultant"), coerce=str)
    instead_of = forms.TypedChoiceField(
        label=_("In place of"),
        coerce=str,
        required=False,
        help_text=_("Leave empty to add a consultant; choose someone to transfer the case."),
    )

    def __init__(
        self,
        *args: Any,
        candidates: Iterable[Staff] = (),
        assigned: Iterable[Staff] = (),
        loads: dict[Any, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        loads = loads or {}
        self.candidates = {str(s.pk): s for s in candidates}
        self.assigned = {str(s.pk): s for s in assigned}
        self.fields["staff"].choices = [  # type: ignore[attr-defined]
            (pk, caseload_label(s, loads.get(s.pk, 0))) for pk, s in self.candidates.items()
        ]
        self.fields["instead_of"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (pk, s.username) for pk, s in self.assigned.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("staff") and data.get("staff") == data.get("instead_of"):
            self.add_error("instead_of", _("Choose someone else to hand the case to."))
        return data


def caseload_label(staff: Staff, count: int) -> str:
    """ "ivan (lawyer) — 3 open cases": the profession routes legal and psychological work."""
    name = staff.username
    if staff.profession:
        name = f"{name} ({staff.get_profession_display()})"
    spoken = [s.own_name for s in languages.REQUESTER if s.code in (staff.speaks or [])]
    if spoken:
        name = f"{name} · {', '.join(spoken)}"
    return ngettext("%(name)s — %(count)d open case", "%(name)s — %(count)d open cases", count) % {
        "name": name,
        "count": count,
    }


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Show"), choices=LIST_FILTERS, required=False)
    label = forms.TypedChoiceField(label=_("Label"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, labels: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [("", _("Any")), *labels]

    def label_id(self) -> int | None:
        return self.cleaned_data.get("label") if self.is_valid() else None

    def statuses(self) -> list[str] | None:
        """The statuses to list; None for all."""
        choice = (self.cleaned_data.get("status") if self.is_valid() else "") or "open"
        if choice == "all":
            return None
        if choice in ("open", *QUEUES):
            return [Status.TRIAGED, Status.ACTIVE, Status.IN_TRANSIT, Status.SAFE]
        return [choice]

    def queue(self) -> str:
        """ "waiting" or "unread": a queue of open cases; "" for none."""
        choice = self.cleaned_data.get("status") if self.is_valid() else ""
        return choice if choice in QUEUES else ""


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["language", "title", "body"]
        labels = {"language": _("Language"), "title": _("Title"), "body": _("Text")}
        widgets = {"body": text_area(8)}


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case must be kept"),
        max_length=retention.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A legal need: a court case, an appeal. Sealed to the case."),
    )
