from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tropa.core.long_text import LongTextField, limit_note

MAX_MESSAGE = 10_000


class CodenameForm(forms.Form):
    codename = forms.CharField(
        label=_("Your codename"),
        max_length=300,
        help_text=_(
            "The words you were given, in the same order. Capitals and dashes do not matter."
        ),
        widget=forms.TextInput(
            # Left to right on every page: the words are Latin or Cyrillic,
            # and their order is the codename.
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )


class KeptForm(forms.Form):
    kept = forms.BooleanField(
        label=_("I have written my codename down or saved it somewhere safe"),
        error_messages={
            "required": _("Please write the codename down first: without it you cannot come back.")
        },
    )


class MessageForm(forms.Form):
    text = LongTextField(
        label=_("Your message"),
        max_length=MAX_MESSAGE,
        rows=6,
        required=False,
        help_text=lazy(limit_note, str)(MAX_MESSAGE),
    )


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my request, all messages and files. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
