"""The surge page (`/staff/surge/`): switch surge mode, the helpline's own
words on the self-help page, temporary triage volunteers. Views parse,
check, call tropa/cases/surge.py, redirect; bad input is said and kept."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa.accounts.current import keys_of, staff_of
from tropa.accounts.models import Role, Team
from tropa.cases import surge
from tropa.core import clock
from tropa.core import surge as surge_state


class SwitchForm(forms.Form):
    short = forms.BooleanField(
        label=gettext_lazy("Ask only what triage needs (the questions marked for surge)"),
        required=False,
        initial=True,
    )


class WordsForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=[("ru", "Русский"), ("en", "English")]
    )
    text = forms.CharField(
        label=gettext_lazy("The helpline's own words on the self-help page"),
        max_length=surge.MAX_OWN_WORDS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Public: anyone can read them. Never a name or a case."),
    )


class VolunteersForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.none())
    count = forms.IntegerField(
        label=gettext_lazy("How many accounts"), min_value=1, max_value=surge.MAX_VOLUNTEERS
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=surge.MAX_DAYS, initial=7
    )

    def __init__(self, *args: object, staff: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        teams = Team.objects.order_by("name")
        if getattr(staff, "role", None) == Role.COORDINATOR:
            teams = teams.filter(pk=getattr(staff, "team_id", None))
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


def _allowed(request: HttpRequest) -> None:
    if not surge.may_switch(staff_of(request)):
        raise Http404


def page(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    staff = staff_of(request)
    state = surge_state.current()
    which = request.POST.get("form", "") if request.method == "POST" else ""
    switch_form = SwitchForm(
        request.POST if which == "switch" else None, initial={"short": state.short_questionnaire}
    )
    words_form = WordsForm(request.POST if which == "words" else None)
    volunteers_form = VolunteersForm(request.POST if which == "volunteers" else None, staff=staff)
    if which == "switch" and switch_form.is_valid():
        turning_on = request.POST.get("on") == "1"
        surge.switch(staff, on=turning_on, short=switch_form.cleaned_data["short"])
        messages.success(request, _("Surge mode is on.") if turning_on else _("Surge mode is off."))
        return redirect("cases:surge")
    if which == "words" and words_form.is_valid():
        data = words_form.cleaned_data
        surge.set_own_words(staff, data["language"], data["text"])
        messages.success(request, _("The self-help page is saved."))
        return redirect("cases:surge")
    if which == "volunteers" and volunteers_form.is_valid():
        data = volunteers_form.cleaned_data
        try:
            made = surge.create_volunteers(staff, data["team"], data["count"], data["days"])
        except surge.Refused:
            volunteers_form.add_error(None, _("You cannot create accounts for this team."))
        else:
            # Shown once, in this very response: temporary passwords are never stored.
            return render(request, "cases/surge_volunteers.html", {"made": made})
    team_volunteers = surge.volunteers(staff.team_id) if staff.team_id else []
    context = {
        "state": state,
        "growth": surge.growth(),
        "switch_form": switch_form,
        "words_form": words_form,
        "volunteers_form": volunteers_form,
        "volunteers": team_volunteers,
        "waiting_for_key": [v for v in team_volunteers if v.has_keys],
        "now": clock.now(),
    }
    status = 400 if which and request.method == "POST" else 200
    return render(request, "cases/surge.html", context, status=status)


def share_key(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    if request.method != "POST":
        return redirect("cases:surge")
    try:
        shared = surge.share_intake_key(staff_of(request), keys_of(request))
    except surge.Refused:
        raise Http404 from None
    messages.success(request, _("The intake key is shared with %(n)d volunteers.") % {"n": shared})
    return redirect("cases:surge")
