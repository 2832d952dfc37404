"""The dashboard's filters and the publish form: bad input is said in the
reader's language and the form keeps what was typed."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Team
from tropa.cases.models import Channel, Situation
from tropa.reports import releases, scope

MONTH = re.compile(r"^\d{4}-\d{2}$")
MAX_MONTHS = 120


def _month(text: str) -> date | None:
    if not MONTH.match(text):
        return None
    year, month = int(text[:4]), int(text[5:])
    return date(year, month, 1) if 1 <= month <= 12 and year >= 2000 else None


def month_text(month: date) -> str:
    return f"{month:%Y-%m}"


class FilterForm(forms.Form):
    start = forms.CharField(label=_("From month"), required=False, max_length=20)
    end = forms.CharField(label=_("To month"), required=False, max_length=20)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    situation = forms.ChoiceField(label=_("Situation"), required=False)

    def __init__(self, *args: object, whole_helpline: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["start"].widget.attrs.update(placeholder="2026-01", inputmode="numeric")
        self.fields["end"].widget.attrs.update(placeholder="2026-12", inputmode="numeric")
        if whole_helpline:
            self.fields["team"].choices = [
                ("", _("All teams")),
                *[(t.pk, str(t)) for t in Team.objects.order_by("name")],
            ]
        else:
            del self.fields["team"]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        self.fields["situation"].choices = [("", _("All situations")), *Situation.choices]

    def _clean_month(self, name: str) -> date | None:
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        month = _month(text)
        if month is None:
            raise forms.ValidationError(_("Write a month as year-month, for example 2026-11."))
        return month

    def clean_start(self) -> date | None:
        return self._clean_month("start")

    def clean_end(self) -> date | None:
        return self._clean_month("end")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date):
            if start > end:
                raise forms.ValidationError(_("The first month comes after the last one."))
            if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                raise forms.ValidationError(_("Choose at most ten years at once."))
        return data


def default_range(today: date) -> tuple[date, date]:
    """The twelve months up to this one."""
    end = today.replace(day=1)
    if end.month == 12:
        return date(end.year, 1, 1), end
    return date(end.year - 1, end.month + 1, 1), end


def scope_from(form: FilterForm, today: date, team: int | None) -> scope.Scope:
    """The form's scope (its defaults for what is missing or wrong); `team`
    is forced for a coordinator."""
    start, end = default_range(today)
    data = form.cleaned_data if form.is_valid() else {}
    start = data.get("start") or start
    end = data.get("end") or (max(end, start) if data.get("start") else end)
    if start > end:
        start, end = default_range(today)
    return scope.Scope(
        start,
        end,
        team if team is not None else data.get("team"),
        data.get("channel", ""),
        data.get("situation", ""),
    )


class PublishForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=20)
    tables = forms.MultipleChoiceField(
        label=_("Tables"), widget=forms.CheckboxSelectMultiple, required=True
    )
    supersede = forms.BooleanField(
        label=_("Replace the release already published for this period"), required=False
    )
    reason = forms.CharField(
        label=_("Why it is replaced (printed with the new release)"),
        required=False,
        max_length=300,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["tables"].choices = releases.table_titles()
        self.fields["period"].widget.attrs.update(placeholder="2026-11")
        self.fields["tables"].error_messages["required"] = _("Choose at least one table.")
