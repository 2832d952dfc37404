"""Forms of the application pages. They only parse and check input; the
country and route lists, the stages of a route and the case's files come in
from the view."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tropa.assistance import countries, sealing
from tropa.assistance.models import ItemStatus, Outcome, Route, Stage
from tropa.cases.forms import PageForm, text_area
from tropa.core import clock

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def date_field(label: Any, required: bool = False) -> forms.DateField:
    """A date typed as day.month.year (or picked), with its error in words."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as day.month.year, e.g. 25.12.2026.")},
    )


class NewApplicationForm(PageForm):
    id_prefix = "application"
    country = forms.ChoiceField(label=_("Country"))
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries.choices()]
        self.fields["country"].error_messages["invalid_choice"] = _(
            "Choose a country from the list."
        )


class DetailsForm(PageForm):
    id_prefix = "details"
    office = forms.CharField(
        label=_("Consulate or office"), required=False, max_length=sealing.LIMITS["office"]
    )
    references = forms.CharField(
        label=_("Reference numbers"), required=False, max_length=sealing.LIMITS["references"]
    )
    appointment = forms.CharField(
        label=_("Appointment details"),
        required=False,
        max_length=sealing.LIMITS["appointment"],
        widget=text_area(3),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=sealing.LIMITS["notes"], widget=text_area(5)
    )
    lead = forms.ChoiceField(label=_("Who leads it"))

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = people


class StageForm(PageForm):
    id_prefix = "stage"
    stage = forms.ChoiceField(label=_("Stage"))
    reason = forms.CharField(
        label=_("Why it goes back (only when it does)"), required=False, max_length=300
    )

    def __init__(self, *args: Any, stages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, Stage(s).label) for s in stages]


class OutcomeForm(PageForm):
    id_prefix = "outcome"
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)


class DateForm(PageForm):
    """One of the dates that matter; empty clears it."""

    id_prefix = "date"
    on = date_field(_("Date"))

    def clean_on(self) -> date | None:
        on = self.cleaned_data["on"]
        today = clock.now().date()
        if on is not None and not today - timedelta(days=3660) <= on <= today + timedelta(3660):
            raise forms.ValidationError(_("That date is too far away to be right."))
        return on


class ItemForm(PageForm):
    id_prefix = "item"
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=sealing.ITEM_NOTE_MAX)
    attachment = forms.ChoiceField(label=_("A file of the case"), required=False)

    def __init__(self, *args: Any, files: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].choices = [("", "—"), *files]


class NewItemForm(PageForm):
    id_prefix = "new_item"
    title = forms.CharField(label=_("Document"), max_length=sealing.TITLE_MAX)


class TemplateForm(PageForm):
    id_prefix = "template"
    titles = forms.CharField(
        label=_("Documents, one per line"), required=False, widget=text_area(8), max_length=4000
    )


class FilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    route = forms.ChoiceField(
        label=_("Route"), required=False, choices=[("", _("Any")), *Route.choices]
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any")), *Stage.choices]
    )
    needs_action = forms.BooleanField(label=_("Needs action"), required=False)
    closed = forms.BooleanField(label=_("Closed ones too"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any")), *countries.choices()]
