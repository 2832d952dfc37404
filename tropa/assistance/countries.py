"""Destination countries: ISO 3166-1 alpha-2 codes, named in the reader's
language from CLDR (Babel). The countries people most often go to come first."""

from __future__ import annotations

from functools import cache

from babel import Locale
from django.utils.translation import get_language

# Where people leaving forced service most often apply, and the home countries
# of foreign recruits returning through their embassy.
FIRST = (
    "DE", "FR", "NL", "LT", "LV", "EE", "PL", "FI", "CZ",
    "AM", "GE", "KZ", "KG", "TR", "RS", "ME", "IL", "AE", "US", "CA",
    "UZ", "TJ", "IN", "NP", "AF", "LK",
)  # fmt: skip
# CLDR territories that are not countries one applies to
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "XK"}


@cache
def _names(language: str) -> dict[str, str]:
    territories = Locale.parse(language).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def language() -> str:
    return "ru" if (get_language() or "ru").startswith("ru") else "en"


def name(code: str) -> str:
    return _names(language()).get(code, code)


def is_country(code: str) -> bool:
    return code in _names("en")


def choices() -> list[tuple[str, str]]:
    """The first ones, then every other country by name."""
    names = _names(language())
    first = [(code, names[code]) for code in FIRST]
    rest = sorted(((c, n) for c, n in names.items() if c not in FIRST), key=lambda cn: cn[1])
    return first + rest
