"""Forms of legal help: template uploads, the fields of a document, deadline
rules and a legal event on a case. They only parse and check input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tropa.assistance.forms import date_field
from tropa.assistance.models import DeadlineRule, LegalEvent
from tropa.assistance.placeholders import DATES, INPUTS
from tropa.cases.forms import PageForm, text_area
from tropa.cases.models import Situation

MAX_TEMPLATE_MB = 5


class UploadForm(PageForm):
    id_prefix = "upload"
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("What it is for, and the law it relies on"),
        required=False,
        widget=text_area(3),
        max_length=2000,
    )
    situations = forms.MultipleChoiceField(
        label=_("Situations it fits"),
        required=False,
        choices=Situation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    docx = forms.FileField(label=_("The .docx file"))

    def clean_docx(self) -> bytes:
        upload = self.cleaned_data["docx"]
        if upload.size > MAX_TEMPLATE_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("A template may be at most %(n)s MB.") % {"n": MAX_TEMPLATE_MB}
            )
        return bytes(upload.read())


class DocumentForm(PageForm):
    """The fields a template needs; dates as dates."""

    id_prefix = "document"
    keep = forms.BooleanField(label=_("Also keep a sealed copy on the case"), required=False)

    def __init__(self, *args: Any, needed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wanted = [name for name in INPUTS if name in needed or _derived(name, needed)]
        for name in wanted:
            if name in DATES:
                self.fields[name] = date_field(INPUTS[name])
            else:
                self.fields[name] = forms.CharField(
                    label=INPUTS[name], required=False, max_length=300
                )
        self.order_fields([*wanted, "keep"])


def _derived(name: str, needed: list[str]) -> bool:
    """Whether an input feeds a computed placeholder the template uses."""
    if name in ("last_name", "first_name", "middle_name"):
        return any(n.startswith(("full_name", "initials")) for n in needed)
    return any(n == f"{name}_words" for n in needed)


class RuleForm(forms.ModelForm):
    class Meta:
        model = DeadlineRule
        fields = ["name", "event", "period", "unit", "moves_off_holidays", "article", "active"]
        labels = {
            "name": _("Name"),
            "event": _("Counts from"),
            "period": _("Period"),
            "unit": _("Unit"),
            "moves_off_holidays": _(
                "A last day on a weekend or holiday moves to the next working day"
            ),
            "article": _("Article of law"),
            "active": _("In use"),
        }


class EventForm(PageForm):
    id_prefix = "deadline"
    rule = forms.ModelChoiceField(
        label=_("Deadline rule"), queryset=DeadlineRule.objects.filter(active=True)
    )
    event_on = date_field(_("Date of the event"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].label_from_instance = _rule_label  # type: ignore[attr-defined]


def _rule_label(rule: DeadlineRule) -> str:
    return f"{gettext(rule.name)} ({LegalEvent(rule.event).label})"
