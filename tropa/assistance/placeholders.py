"""Document templates: the placeholders they may use, checked on upload, and
rendering in memory only.

A template is a .docx with Jinja placeholders (docxtpl), rendered with
autoescaping on. Names come in every grammatical case (petrovich), dates in
figures and in words (num2words). Rendering reads the template from memory and
writes the document to memory: nothing of a person's document touches a disk.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

import jinja2
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docxtpl import DocxTemplate
from num2words import num2words
from petrovich.enums import Case as Grammar
from petrovich.enums import Gender
from petrovich.main import Petrovich

# What a person's document may say, and where it comes from: what staff type
# into the form (prefilled from the case where the answers map).
INPUTS = {
    "last_name": gettext_lazy("Last name"),
    "first_name": gettext_lazy("First name"),
    "middle_name": gettext_lazy("Patronymic"),
    "birth_date": gettext_lazy("Date of birth"),
    "address": gettext_lazy("Address"),
    "document_number": gettext_lazy("Passport or military ID number"),
    "commissariat": gettext_lazy("Military commissariat or draft board"),
    "summons_number": gettext_lazy("Summons number"),
    "summons_date": gettext_lazy("Summons date"),
    "decision_date": gettext_lazy("Date of the decision"),
    "embassy": gettext_lazy("Embassy"),
    "citizenship": gettext_lazy("Citizenship"),
    "signature": gettext_lazy("Signature line"),
}
DATES = ("birth_date", "summons_date", "decision_date")
CASES = {
    "gen": Grammar.GENITIVE,
    "dat": Grammar.DATIVE,
    "acc": Grammar.ACCUSATIVE,
    "ins": Grammar.INSTRUMENTAL,
    "pre": Grammar.PREPOSITIONAL,
}
# Computed from the inputs: full_name and full_name_gen…_pre, initials, today,
# today_words, and each date's *_words
COMPUTED = {
    "full_name",
    "initials",
    "today",
    "today_words",
    *(f"full_name_{c}" for c in CASES),
    *(f"{d}_words" for d in DATES),
}
KNOWN = set(INPUTS) | COMPUTED
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


class BadTemplate(ValueError):
    """A template that cannot be used, said so on upload (not at rendering)."""


def check(docx: bytes) -> list[str]:
    """The placeholders of a template, or BadTemplate with what is wrong."""
    if not zipfile.is_zipfile(io.BytesIO(docx)):
        raise BadTemplate(_("This is not a .docx file."))
    try:
        found = DocxTemplate(io.BytesIO(docx)).get_undeclared_template_variables()
    except jinja2.TemplateSyntaxError as error:
        raise BadTemplate(
            _("A placeholder is malformed (line %(line)s): %(error)s")
            % {"line": error.lineno, "error": error.message}
        ) from error
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise BadTemplate(_("This .docx file cannot be read.")) from error
    unknown = sorted(set(found) - KNOWN)
    if unknown:
        raise BadTemplate(
            _("Unknown placeholders: %(names)s. Known: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(sorted(KNOWN))}
        )
    return sorted(found)


def gender_of(middle_name: str, last_name: str = "") -> str:
    """From the patronymic, else from a Russian surname's ending; a name that
    says neither is left as written (petrovich's "androgynous" rules)."""
    middle, last = middle_name.strip().lower(), last_name.strip().lower()
    if middle.endswith(("вна", "кызы", "гызы")):
        return Gender.FEMALE
    if middle.endswith(("вич", "ич", "оглы", "улы", "уулу")):
        return Gender.MALE
    if last.endswith(("ова", "ева", "ёва", "ина", "ына", "ская", "цкая")):
        return Gender.FEMALE
    if last.endswith(("ов", "ев", "ёв", "ин", "ын", "ский", "цкий")):
        return Gender.MALE
    return Gender.ANDRGN


def name_in(case: int, last: str, first: str, middle: str) -> str:
    p, gender = Petrovich(), gender_of(middle, last)
    parts = [
        p.lastname(last, case, gender) if last else "",
        p.firstname(first, case, gender) if first else "",
        p.middlename(middle, case, gender) if middle else "",
    ]
    return " ".join(part for part in parts if part)


def date_in_words(day: date) -> str:
    """«третье декабря две тысячи двадцать шестого года»."""
    return "{} {} {} года".format(
        num2words(day.day, lang="ru", to="ordinal", gender="n"),
        MONTHS_GENITIVE[day.month - 1],
        num2words(day.year, lang="ru", to="ordinal", case="g"),
    )


def date_in_figures(day: date) -> str:
    return f"«{day.day}» {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


@dataclass
class Filled:
    """What staff typed, by placeholder name (dates as dates)."""

    values: dict[str, object]


def context(filled: Filled, today: date) -> dict[str, str]:
    """Every placeholder's text, from the inputs."""
    v = filled.values
    last, first, middle = (
        str(v.get(k) or "").strip() for k in ("last_name", "first_name", "middle_name")
    )
    out: dict[str, str] = {}
    for key in INPUTS:
        value = v.get(key)
        if isinstance(value, date):
            out[key] = date_in_figures(value)
            out[f"{key}_words"] = date_in_words(value)
        else:
            out[key] = str(value or "")
    for key in DATES:
        out.setdefault(f"{key}_words", "")
    out["full_name"] = " ".join(p for p in (last, first, middle) if p)
    for short, grammar in CASES.items():
        out[f"full_name_{short}"] = name_in(grammar, last, first, middle)
    out["initials"] = " ".join(
        p for p in (f"{first[:1]}." if first else "", f"{middle[:1]}." if middle else "", last) if p
    )
    out["today"] = date_in_figures(today)
    out["today_words"] = date_in_words(today)
    return out


def render(docx: bytes, values: dict[str, str]) -> bytes:
    """The document, in memory, with every value escaped."""
    document = DocxTemplate(io.BytesIO(docx))
    document.render(values, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
