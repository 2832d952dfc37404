"""The documents a checklist starts with, per route: built-in defaults that a
coordinator edits for the helpline (TemplateItem rows, made on first use)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tropa.assistance.models import Route

DOCUMENTS = {
    "passport": _("International passport"),
    "internal_passport": _("Internal passport"),
    "military_id": _("Military ID"),
    "summons": _("Summons"),
    "medical": _("Medical records"),
    "translations": _("Certified translations"),
    "photos": _("Photos"),
    "threat": _("Proof of threat"),
    "civil": _("Birth or marriage certificates"),
    "funds": _("Proof of funds"),
    "insurance": _("Travel insurance"),
    "form": _("Application form"),
}

DEFAULTS: dict[str, tuple[str, ...]] = {
    Route.HUMANITARIAN_VISA: (
        "passport", "military_id", "summons", "threat", "photos", "translations", "form",
    ),
    Route.NATIONAL_VISA: ("passport", "photos", "form", "funds", "insurance"),
    Route.ASYLUM: (
        "passport", "internal_passport", "military_id", "summons", "threat", "medical",
        "translations",
    ),
    Route.UNHCR: ("passport", "internal_passport", "threat"),
    Route.RESETTLEMENT: ("passport", "threat", "medical", "civil"),
    Route.RESIDENCE: ("passport", "photos", "funds", "form", "translations"),
    Route.REPATRIATION: ("passport", "photos", "form"),
    Route.OTHER: ("passport",),
}  # fmt: skip


def default_titles(route: str) -> list[str]:
    """The built-in list of a route, in the reader's language."""
    return [str(DOCUMENTS[key]) for key in DEFAULTS.get(route, ())]
