"""The duty roster page (`/staff/roster/`): a coordinator's own team. Views
parse, check, call tropa/accounts/roster.py and redirect; bad input is said
and kept."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tropa.accounts import handover, roster
from tropa.accounts.current import keys_of, roles_only, staff_of
from tropa.accounts.models import Role, Shift, Staff, Team, Weekday
from tropa.core import clock
from tropa.core.zone import zone_label


class ShiftForm(forms.Form):
    staff = forms.ModelChoiceField(label=gettext_lazy("Coordinator"), queryset=Staff.objects.none())
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Every week on"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *Weekday.choices],
    )  # fmt: skip
    on = forms.DateField(label=gettext_lazy("Or once, on"), required=False)
    starts = forms.TimeField(label=gettext_lazy("From"))
    ends = forms.TimeField(label=gettext_lazy("To"))
    off = forms.BooleanField(
        label=gettext_lazy("Off that day (the weekly shift does not hold)"), required=False
    )

    def __init__(self, *args: object, team: Team, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["staff"]
        field.queryset = Staff.objects.filter(  # type: ignore[attr-defined]
            team=team, role=Role.COORDINATOR, is_active=True
        ).order_by("username")
        self.fields["on"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["starts"].widget = forms.TimeInput(attrs={"type": "time"})
        self.fields["ends"].widget = forms.TimeInput(attrs={"type": "time"})

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        weekly, dated = data.get("weekday") is not None, data.get("on") is not None
        if weekly == dated:
            raise forms.ValidationError(_("Choose a weekday, or a date: one of the two."))
        if data.get("off") and not dated:
            raise forms.ValidationError(_("A day off is on a date."))
        if data.get("starts") is not None and data.get("starts") == data.get("ends"):
            raise forms.ValidationError(_("A shift ends at another time than it starts."))
        return data


class HandoverForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Handover note"),
        max_length=handover.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "What the next person on duty must know: open alarms, who waits, what was promised."
            " Sealed; readable by the team's coordinators; shredded after two weeks."
        ),
    )


def _team(request: HttpRequest) -> Team:
    staff = staff_of(request)
    if staff.team is None:
        raise Http404
    return staff.team


@roles_only(Role.COORDINATOR)
def page(request: HttpRequest) -> HttpResponse:
    team = _team(request)
    form = ShiftForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        roster.add_shift(
            team,
            roster.ShiftPlan(
                data["staff"],
                data["starts"],
                data["ends"],
                data["weekday"],
                data["on"],
                data["off"],
            ),  # fmt: skip
            actor=staff_of(request),
        )
        messages.success(request, _("The roster is changed."))
        return redirect("accounts:roster")
    shifts = Shift.objects.filter(team=team).select_related("staff")
    today = clock.now().date()
    return render(
        request,
        "accounts/roster.html",
        {
            "form": form,
            "team": team,
            "now": roster.on_duty(team, clock.now()),
            "has_roster": roster.has_roster(team),
            "weekly": shifts.filter(weekday__isnull=False).order_by("weekday", "starts"),
            "dated": shifts.filter(on__gte=today).order_by("on", "starts"),
            "zone": zone_label(),
        },
    )


@require_POST
@roles_only(Role.COORDINATOR)
def remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    if not roster.remove_shift(_team(request), shift_id, actor=staff_of(request)):
        raise Http404
    messages.success(request, _("The roster is changed."))
    return redirect("accounts:roster")


@roles_only(Role.COORDINATOR)
def handover_page(request: HttpRequest) -> HttpResponse:
    team = _team(request)
    staff = staff_of(request)
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            handover.write(staff, form.cleaned_data["text"])
        except handover.Refused:
            form.add_error(None, _("This note cannot be kept: sign in again and retry."))
        else:
            messages.success(request, _("The handover note is left for the next on duty."))
            return redirect("accounts:handover")
    context = {
        "form": form,
        "team": team,
        "notes": handover.read_recent(staff, keys_of(request)),
        "now": roster.on_duty(team, clock.now()),
    }
    return render(request, "accounts/handover.html", context)
