"""A text box with a limit that it says, and never cuts.

Django gives a length-limited field a `maxlength` attribute, and a browser then
cuts pasted text at the limit without a word: the end of a person's story
would be lost before they know it. This field sets no such attribute; its help
says the limit, and a longer text comes back whole with a message to shorten it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class LongTextField(forms.CharField):
    def __init__(self, *, max_length: int, rows: int = 8, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        errors = kwargs.pop("error_messages", {}) or {}
        errors.setdefault(
            "max_length",
            _(
                "This is %(show_value)d characters long; the limit is %(limit_value)d. "
                "Please shorten it: nothing has been cut."
            ),
        )
        super().__init__(max_length=max_length, error_messages=errors, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def limit_note(max_length: int) -> str:
    return str(_("Up to %(n)s characters.")) % {"n": f"{max_length:,}".replace(",", "\u00a0")}
