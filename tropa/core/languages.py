"""The languages Tropa speaks, and to whom.

Requesters (the public pages, the portal, the bot) may use every language
with a catalog; staff pages speak Russian and English only. Each catalog
says in its header whether a native speaker has reviewed it
(`X-Tropa-Reviewed: yes` or `no`); pages in an unreviewed language say so,
in that language and in English (docs/intake.md: how to add a language).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import django.conf.locale
from django.utils.translation import get_language, to_locale

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@dataclass(frozen=True)
class Spoken:
    code: str
    own_name: str  # in its own script: what the picker shows
    rtl: bool = False


# In the picker's order: Russian first, then English, then the languages of
# foreign recruits (issue 18's order).
REQUESTER = (
    Spoken("ru", "Русский"),
    Spoken("en", "English"),
    Spoken("uz", "Oʻzbekcha"),
    Spoken("tg", "Тоҷикӣ"),
    Spoken("ky", "Кыргызча"),
    Spoken("ne", "नेपाली"),
    Spoken("hi", "हिन्दी"),
    Spoken("kk", "Қазақша"),
    Spoken("ta", "தமிழ்"),
    Spoken("bn", "বাংলা"),
    Spoken("si", "සිංහල"),
    Spoken("es", "Español"),
    Spoken("ar", "العربية", rtl=True),
    Spoken("fa-af", "دری", rtl=True),
)
STAFF = ("ru", "en")
# How a free-text "languages" field (a directory entry's) may name each one.
SPELLINGS = {
    "ru": ("russian", "русск", "рус"),
    "en": ("english", "англ"),
    "uz": ("uzbek", "oʻzbek", "o'zbek", "ozbek", "узбек"),
    "tg": ("tajik", "тоҷик", "таджик"),
    "ky": ("kyrgyz", "kirghiz", "кыргыз", "киргиз"),
    "ne": ("nepali", "नेपाली", "непал"),
    "hi": ("hindi", "हिन्दी", "хинди"),
    "kk": ("kazakh", "qazaq", "қазақ", "казах"),
    "ta": ("tamil", "தமிழ்", "тамил"),
    "bn": ("bengali", "bangla", "বাংলা", "бенгал"),
    "si": ("sinhala", "sinhalese", "සිංහල", "сингал"),
    "es": ("spanish", "español", "espanol", "castellano", "испан"),
    "ar": ("arabic", "العربية", "عربي", "араб"),
    "fa-af": ("dari", "دری", "дари", "persian", "farsi", "фарси"),
}


def named_in(code: str, text: str) -> bool:
    """Whether free text ("uzbek, russian") names the language `code`."""
    lowered = text.lower()
    return code.lower() in {w.strip(" ,;/").lower() for w in lowered.split()} or any(
        spelling in lowered for spelling in SPELLINGS.get(code, ())
    )


CODES = tuple(spoken.code for spoken in REQUESTER)


def spoken(code: str) -> Spoken | None:
    return next((s for s in REQUESTER if s.code == code), None)


def current() -> str:
    code = (get_language() or "ru").lower()
    return code if code in CODES else "ru"


@cache
def reviewed(code: str) -> bool:
    """Whether the catalog's header says a native speaker reviewed it.
    Russian and English are Tropa's own languages: reviewed."""
    if code in STAFF:
        return True
    po = LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"
    try:
        head = po.read_text(encoding="utf-8")[:4000]
    except OSError:
        return False
    return '"X-Tropa-Reviewed: yes\\n"' in head


@cache
def django_names_months(code: str) -> bool:
    """Whether Django's own catalog translates month names for the language
    (it has none for Sinhala: tropa/core/templatetags/tropa_time.py uses
    Babel's data there)."""
    own = Path(django.conf.locale.__file__).parent / to_locale(code) / "LC_MESSAGES"
    return code in STAFF or (own / "django.mo").exists()


def staff_language(code: str) -> str:
    """The language a staff page is shown in: a requester language a staff
    member chose falls back to English."""
    return code if code in STAFF else "en"
