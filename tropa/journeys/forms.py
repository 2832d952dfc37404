"""Forms of the journey plan on the case page. They only parse and check input."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Role, Staff, Team
from tropa.cases.forms import MAX_TEXT, PageForm, text_area
from tropa.core import clock
from tropa.core.zone import zone_label
from tropa.journeys.models import CheckInKind, Risk

MAX_TITLE = 200
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def within_reach(moment: datetime) -> bool:
    """A journey's times lie near today: a typo such as year 0001 or 9999 is
    refused (stored, it once broke the case page for good: before year 1 in UTC)."""
    now = clock.now()
    return now - timedelta(days=366) <= moment <= now + timedelta(days=5 * 366)


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=lazy(zone_label, str)(),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
        error_messages={
            "invalid": _("Write the time as day.month.year hours:minutes, e.g. 25.12.2026 18:30.")
        },
    )


class ProtocolForm(PageForm):
    id_prefix = "protocol"

    protocol = forms.CharField(
        label=_("Emergency protocol"),
        max_length=MAX_TEXT,
        required=False,
        widget=text_area(5),
        help_text=_("What the team does when this person is in danger. Sealed to the case key."),
    )
    contacts = forms.CharField(
        label=_("Contacts to call"),
        max_length=MAX_TEXT,
        required=False,
        widget=text_area(3),
        help_text=_("Partner lawyers, shelters: one per line."),
    )


class DuressForm(PageForm):
    id_prefix = "duress"

    word = forms.CharField(
        label=_("Duress word"),
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text=_(
            "Agreed with the requester. A check-in with it looks like an ordinary one on their "
            "screen and on the server; on this page you see it at once. It is never shown again."
        ),
        error_messages={"required": _("Write the duress word.")},
    )


class LegForm(PageForm):
    id_prefix = "leg"

    title = forms.CharField(
        label=_("Leg"),
        max_length=MAX_TITLE,
        error_messages={"required": _("Name this leg of the journey.")},
    )
    details = forms.CharField(
        label=_("Details"), max_length=MAX_TEXT, required=False, widget=text_area(3)
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices, initial=Risk.MEDIUM)
    planned_start = _when(_("Planned start"))
    planned_end = _when(_("Planned end"))
    checkin_every_hours = forms.IntegerField(
        label=_("Check in every (hours)"),
        required=False,
        min_value=1,
        max_value=168,
        help_text=_("Leave empty for no check-ins on this leg."),
    )
    grace_minutes = forms.IntegerField(
        label=_("Grace period (minutes)"), min_value=0, max_value=1440, initial=30
    )
    risk_notes = forms.CharField(
        label=_("Risk notes"), max_length=MAX_TEXT, required=False, widget=text_area(3)
    )
    backup_plan = forms.CharField(
        label=_("Backup plan"),
        max_length=MAX_TEXT,
        required=False,
        widget=text_area(3),
        help_text=_("What to do if this leg fails: one step per line; each becomes a task."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("planned_start"), data.get("planned_end")
        for name in ("planned_start", "planned_end"):
            moment = data.get(name)
            if moment is not None and not within_reach(moment):
                self.add_error(
                    name, _("Choose a time within a year before or five years after today.")
                )
                data.pop(name, None)
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The leg cannot end before it starts."))
        return data


STAFF_CHECKIN_CHOICES = [
    (CheckInKind.SAFE.value, CheckInKind.SAFE.label),
    (CheckInKind.HELP.value, CheckInKind.HELP.label),
]


class CheckInForm(forms.Form):
    kind = forms.ChoiceField(label=_("Check-in"), choices=STAFF_CHECKIN_CHOICES)


MINUTES = {"min_value": 1, "max_value": 240}


class TeamLadderForm(forms.Form):
    duty_coordinator = forms.ModelChoiceField(
        label=gettext_lazy("Duty coordinator"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=gettext_lazy("Told at the second step. Empty: every coordinator of the team."),
    )
    to_duty = forms.IntegerField(
        label=gettext_lazy("Minutes until the duty coordinator is told"), **MINUTES
    )
    to_team = forms.IntegerField(
        label=gettext_lazy("Minutes more until every coordinator is told"), **MINUTES
    )

    def __init__(self, team: Team, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["duty_coordinator"].queryset = Staff.objects.filter(  # type: ignore[attr-defined]
            team=team, role=Role.COORDINATOR, is_active=True
        )


class PlanLadderForm(forms.Form):
    to_duty = forms.IntegerField(
        label=gettext_lazy("Minutes until the duty coordinator is told"), required=False, **MINUTES
    )
    to_team = forms.IntegerField(
        label=gettext_lazy("Minutes more until every coordinator is told"),
        required=False,
        **MINUTES,
    )


class ClearDuressForm(PageForm):
    id_prefix = "clear"

    reason = forms.CharField(
        label=_("Why it can be cleared"),
        max_length=500,
        widget=text_area(2),
        help_text=_("For example: spoke to the person by voice, they are safe and free."),
        error_messages={"required": _("Say why the warning can be cleared.")},
    )


class ConfirmFailForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, this leg failed: bring up its backup plan"),
        error_messages={"required": _("Tick the box to confirm that the leg failed.")},
    )
