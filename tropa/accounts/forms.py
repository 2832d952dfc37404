from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tropa.accounts.duress import is_duress_password
from tropa.accounts.models import Language, Role, Staff, Team, username_validator
from tropa.core import languages


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=40)
    password = forms.CharField(
        label=_("Password"), max_length=1024, strip=False, widget=forms.PasswordInput
    )
    code = forms.CharField(
        label=_("Two-factor code"),
        help_text=_("Six digits from your authenticator app, or a recovery code."),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _password(label: str, help_text: str = "", *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1024,
        strip=False,
        required=required,
        widget=forms.PasswordInput,
        help_text=help_text,
    )


class OwnPasswordForm(forms.Form):
    """A form that asks for the person's own password first."""

    current = _password(_("Current password"))

    def __init__(self, staff: Staff, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.staff = staff

    def clean_current(self) -> str:
        current: str = self.cleaned_data["current"]
        if not self.staff.check_password(current):
            raise ValidationError(_("That is not your current password."), code="wrong")
        return current


class PasswordChangeForm(OwnPasswordForm):
    new = _password(
        _("New password"), _("At least 12 characters; a few unrelated words work well.")
    )
    repeat = _password(_("New password again"))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        new, repeat = data.get("new"), data.get("repeat")
        if new and repeat and new != repeat:
            self.add_error("repeat", _("The two new passwords differ."))
        elif isinstance(new, str):
            try:
                validate_password(new, self.staff)
            except ValidationError as error:
                self.add_error("new", error)
            if is_duress_password(self.staff, new):
                self.add_error("new", _("That is your duress password: choose another."))
        return data


class DuressPasswordForm(OwnPasswordForm):
    """Choose or remove the duress password; the person's own password first."""

    current = _password(_("Your own password"))
    new = _password(
        _("Duress password"),
        _("At least 12 characters, and not your own password."),
        required=False,
    )
    repeat = _password(_("Duress password again"), required=False)

    def __init__(self, staff: Staff, *args: object, remove: bool = False, **kwargs: object) -> None:
        super().__init__(staff, *args, **kwargs)
        self.remove = remove

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.remove:
            data["new"] = ""
            return data
        new, repeat = data.get("new"), data.get("repeat")
        if not new:
            self.add_error("new", _("Type the duress password."))
        elif new != repeat:
            self.add_error("repeat", _("The two passwords differ."))
        return data


class StaffCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=40,
        validators=[username_validator],
        help_text=_("A handle, not a real name."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,  # set in __init__
        required=False,
        help_text=_("A team's coordinators see its cases. Empty: the main team."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip().lower()
        if Staff.objects.filter(username=username).exists():
            raise ValidationError(_("That username is taken."), code="taken")
        return username


class NotificationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail for notifications"),
        required=False,
        help_text=_("Notifications only say that something is waiting, never what or for whom."),
    )
    notify_by_email = forms.BooleanField(
        label=_("E-mail me about new assignments, messages on my cases and due tasks"),
        required=False,
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=60)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Team.objects.filter(name__iexact=name).exists():
            raise ValidationError(_("There is a team with that name."), code="taken")
        return name


class TargetsForm(forms.Form):
    first_hours = forms.IntegerField(
        label=_("First answer within (hours)"), min_value=1, max_value=720
    )
    next_hours = forms.IntegerField(
        label=_("Each later answer within (hours)"), min_value=1, max_value=720
    )
    stale_days = forms.IntegerField(
        label=_("A case is stale after (days with nothing from us)"), min_value=1, max_value=365
    )


class SpeaksForm(forms.Form):
    speaks = forms.MultipleChoiceField(
        label=_("Languages I can talk to requesters in"),
        choices=[(s.code, s.own_name) for s in languages.REQUESTER if s.code != "ru"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Shown to coordinators when they assign a case."),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
