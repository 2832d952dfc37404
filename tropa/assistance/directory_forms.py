"""Forms of the directory and of referrals. They only parse and check input;
the lists of services and route points come in from the view, opened."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tropa.assistance.forms import date_field
from tropa.assistance.models import PointStatus, ReferralStatus, ServiceKind
from tropa.cases.forms import PageForm, text_area

MODES = [("remote", _("Remote")), ("in_person", _("In person")), ("both", _("Both"))]
POINT_TYPES = [
    ("border", _("Border crossing")),
    ("transit", _("Transit city")),
    ("airport", _("Airport")),
]


def _text(label: Any, max_length: int = 200, rows: int = 0) -> forms.CharField:
    widget = text_area(rows) if rows else None
    return forms.CharField(label=label, required=False, max_length=max_length, widget=widget)


class ServiceForm(PageForm):
    id_prefix = "service"
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices)
    languages = _text(_("Languages"))
    countries = _text(_("Countries served"))
    cities = _text(_("Cities served"))
    mode = forms.ChoiceField(label=_("Remote or in person"), choices=MODES)
    cost = _text(_("Cost"))
    contacts = _text(_("Contact details"), 500, 3)
    how_to_refer = _text(_("How to refer (the partner's own rules)"), 1000, 4)
    capacity = _text(_("Capacity notes"), 500, 2)
    verified_on = date_field(_("Last verified"))


class PointForm(PageForm):
    id_prefix = "point"
    name = forms.CharField(label=_("Name"), max_length=200)
    point_type = forms.ChoiceField(label=_("Kind of place"), choices=POINT_TYPES)
    country = _text(_("Country"))
    status = forms.ChoiceField(label=_("Status"), choices=PointStatus.choices)
    status_note = _text(_("Status note"), 1000, 3)
    verified_on = date_field(_("Last verified"))


class ReferralForm(PageForm):
    id_prefix = "referral"
    service = forms.ChoiceField(label=_("Service from the directory"), required=False)
    kind = forms.ChoiceField(label=_("Kind of help"), choices=ServiceKind.choices)
    notes = _text(_("Notes"), 2000, 3)

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—"), *services]


class ConsentForm(PageForm):
    id_prefix = "consent"
    consent_scope = forms.CharField(
        label=_("What the person agreed may be shared"), max_length=1000, widget=text_area(3)
    )


class StatusForm(PageForm):
    id_prefix = "status"
    status = forms.ChoiceField(label=_("Status"), choices=ReferralStatus.choices)
    shared = _text(_("What was shared with the partner"), 1000, 3)
    notes = _text(_("Notes"), 2000, 3)
    next_date = date_field(_("Next appointment"), required=False)


class SessionForm(PageForm):
    id_prefix = "session"
    held_on = date_field(_("Held on"))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600)
    note = _text(_("Note (psychologists on the case and coordinators only)"), 3000, 4)


class LegPointsForm(forms.Form):
    """For each leg, the route points it passes."""

    def __init__(
        self, *args: Any, legs: list[tuple[str, str]], points: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for leg_id, label in legs:
            self.fields[leg_id] = forms.MultipleChoiceField(
                label=label, choices=points, required=False, widget=forms.CheckboxSelectMultiple
            )
