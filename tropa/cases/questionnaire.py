"""The intake questionnaire as data: one versioned definition file.

`questionnaire.json` beside this module is the default; a helpline points
TROPA_QUESTIONNAIRE at its own copy to change wording, add or remove
questions (docs/questionnaire.md). The definition is checked when first
loaded and a broken one stops the server with a message naming the problem,
rather than showing people a broken form.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tropa.cases.models import Situation
from tropa.conf import env_str
from tropa.core import clock, languages
from tropa.core.long_text import LongTextField, limit_note

HERE = Path(__file__).resolve().parent
TYPES = {"choice", "multi", "date", "text", "textarea", "region"}
CHANNELS = ("web", "telegram")
# Questions whose answers are coded for triage: their ids and option values are
# part of the contract with tropa/intake/triage.py and must be kept.
CODED = {"situation", "region", "report_by", "health", "russian", "deceived", "asking"}
DATE_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%d,%m,%Y", "%Y-%m-%d"]
MAX_TEXT = 20_000


class Texts(dict[str, str]):
    """A text in several languages: Russian and English always, others where
    the definition has them; a language without its own text reads English
    (tropa/core/tests/test_catalog.py lists which are missing)."""

    def __missing__(self, language: str) -> str:
        return self["en"]


PREFER_NOT = Texts(
    {
        "ru": "Не хочу отвечать",
        "en": "I'd rather not answer",
        "uz": "Javob bermaslikni afzal koʻraman",
        "tg": "Намехоҳам ҷавоб диҳам",
        "ky": "Жооп бербей коёюн",
        "ne": "जवाफ दिन चाहन्नँ",
        "hi": "मैं जवाब नहीं देना चाहता",
        "kk": "Жауап бермей-ақ қояйын",
        "ta": "பதிலளிக்க விரும்பவில்லை",
        "bn": "উত্তর দিতে চাই না",
        "si": "පිළිතුරු නොදීමට කැමතියි",
        "es": "Prefiero no responder",
        "ar": "أفضّل ألا أجيب",
        "fa-af": "ترجیح می‌دهم جواب ندهم",
    }
)


@dataclass(frozen=True)
class Option:
    value: str
    label: dict[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: dict[str, str]
    required: bool = False
    help: dict[str, str] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    max_length: int = 200
    sensitive: bool = False
    # Where the question is asked: the web form, the Telegram bot, or both.
    channels: tuple[str, ...] = CHANNELS
    # Asked in surge mode too, when the questionnaire is cut to what triage
    # needs (tropa/cases/surge.py): "in_surge": true in the definition.
    in_surge: bool = False


@dataclass(frozen=True)
class Region:
    code: str
    label: dict[str, str]
    group: str


@dataclass(frozen=True)
class Questionnaire:
    version: int
    intro: dict[str, str]
    questions: tuple[Question, ...]
    regions: tuple[Region, ...]
    region_groups: tuple[tuple[str, dict[str, str]], ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)


def _text(value: Any, where: str) -> Texts:
    if not isinstance(value, dict) or not all(
        isinstance(value.get(lang), str) and value[lang].strip() for lang in ("ru", "en")
    ):
        raise ImproperlyConfigured(f"questionnaire: {where} needs non-empty 'ru' and 'en' texts")
    return Texts(
        {
            lang: text
            for lang, text in value.items()
            if lang not in ("code", "group") and isinstance(text, str) and text.strip()
        }
    )


def parse(data: dict[str, Any], regions: dict[str, Any]) -> Questionnaire:
    """Check a definition and turn it into a Questionnaire, or say what is wrong."""
    if not isinstance(data.get("version"), int) or data["version"] < 1:
        raise ImproperlyConfigured("questionnaire: 'version' must be a whole number >= 1")
    questions = []
    seen = set()
    for index, raw in enumerate(data.get("questions") or []):
        where = f"question {index + 1}"
        if not isinstance(raw, dict):
            raise ImproperlyConfigured(f"questionnaire: {where} must be an object")
        qid = raw.get("id")
        if not isinstance(qid, str) or not qid.isidentifier() or qid in seen:
            raise ImproperlyConfigured(f"questionnaire: {where} needs a unique identifier 'id'")
        seen.add(qid)
        where = f"question {qid!r}"
        qtype = raw.get("type")
        if qtype not in TYPES:
            raise ImproperlyConfigured(f"questionnaire: {where} has unknown type {qtype!r}")
        raw_options = raw.get("options") or []
        if not isinstance(raw_options, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str | int) for o in raw_options
        ):
            raise ImproperlyConfigured(f"questionnaire: {where} options each need a 'value'")
        options = tuple(
            Option(str(o["value"]), _text(o.get("label"), f"{where} option {o.get('value')!r}"))
            for o in raw_options
        )
        if qtype in {"choice", "multi"} and len(options) < 2:
            raise ImproperlyConfigured(f"questionnaire: {where} needs at least two options")
        if len({o.value for o in options}) != len(options):
            raise ImproperlyConfigured(f"questionnaire: {where} repeats an option value")
        channels = raw.get("channels", list(CHANNELS))
        if not isinstance(channels, list) or not channels or not set(channels) <= set(CHANNELS):
            raise ImproperlyConfigured(
                f"questionnaire: {where} channels must be a list of {', '.join(CHANNELS)}"
            )
        max_length = raw.get("max_length", 200 if qtype == "text" else 10_000)
        if type(max_length) is not int or not 1 <= max_length <= MAX_TEXT:
            raise ImproperlyConfigured(f"questionnaire: {where} max_length must be 1..{MAX_TEXT}")
        questions.append(
            Question(
                id=qid,
                type=qtype,
                label=_text(raw.get("label"), where),
                required=bool(raw.get("required", False)),
                help=_text(raw["help"], f"{where} help") if "help" in raw else Texts(),
                options=options,
                max_length=max_length,
                sensitive=bool(raw.get("sensitive", False)),
                channels=tuple(c for c in CHANNELS if c in channels),
                in_surge=bool(raw.get("in_surge", False)),
            )
        )
    situation = next((q for q in questions if q.id == "situation"), None)
    if (
        situation is None
        or situation.type != "choice"
        or not situation.required
        or set(situation.channels) != set(CHANNELS)
        or not situation.in_surge
    ):
        raise ImproperlyConfigured(
            "questionnaire: a required choice question 'situation' is needed, "
            "asked on every channel and in surge mode"
        )
    unknown = {o.value for o in situation.options} - set(Situation.values)
    if unknown:
        raise ImproperlyConfigured(f"questionnaire: unknown situations {sorted(unknown)}")
    groups = tuple(
        (g["code"], _text(g, f"region group {g.get('code')!r}")) for g in regions["groups"]
    )
    group_codes = {code for code, _label in groups}
    region_list = tuple(
        Region(r["code"], _text(r, f"region {r.get('code')!r}"), r["group"])
        for r in regions["regions"]
    )
    if any(r.group not in group_codes for r in region_list):
        raise ImproperlyConfigured("regions: a region names an unknown group")
    return Questionnaire(
        version=data["version"],
        intro=_text(data.get("intro"), "intro"),
        questions=tuple(questions),
        regions=region_list,
        region_groups=groups,
    )


@cache
def load() -> Questionnaire:
    path = Path(env_str("QUESTIONNAIRE", str(HERE / "questionnaire.json")))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        regions = json.loads((HERE / "regions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"questionnaire: cannot read {path}: {error}") from None
    return parse(data, regions)


class _CheapCopy:
    """Questionnaire fields never change after they are built: share their
    choices and copy the rest shallowly for each form.

    Django deep-copies every field for every form; for the 91 regions that
    copy was a third of the cost of a submission under load.
    """

    def __deepcopy__(self, memo: dict[int, object]) -> forms.Field:
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)  # type: ignore[attr-defined]
        result.widget.attrs = dict(self.widget.attrs)  # type: ignore[attr-defined]
        result.error_messages = self.error_messages.copy()  # type: ignore[attr-defined]
        result.validators = self.validators[:]  # type: ignore[attr-defined]
        return result  # type: ignore[return-value]


class ReportByField(_CheapCopy, forms.DateField):
    """A date typed any common way; a date far in the past or future is a typo."""

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is None:
            return
        today = clock.now().date()
        if not today - timedelta(days=366) <= value <= today + timedelta(days=2 * 366):
            raise ValidationError(
                _("That date looks wrong. Write it as day.month.year, for example 25.12.2026."),
                code="out_of_range",
            )


class ChoiceField(_CheapCopy, forms.ChoiceField):
    pass


class MultipleChoiceField(_CheapCopy, forms.MultipleChoiceField):
    pass


class CharField(_CheapCopy, forms.CharField):
    pass


def _field(question: Question, q: Questionnaire, language: str) -> forms.Field:
    label = question.label[language]
    help_text = question.help[language] if question.help else ""
    common = {"label": label, "help_text": help_text, "required": question.required}
    options = [(o.value, o.label[language]) for o in question.options]
    if question.type == "choice":
        if not question.required:
            # Without JavaScript a tapped radio cannot be cleared: offer a way back.
            options.append(("", PREFER_NOT[language]))
        return ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if question.type == "multi":
        return MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    if question.type == "date":
        # A text box, not type="date": Tor Browser says en-US and would ask
        # for mm/dd/yyyy, and an impossible date would come back empty.
        return ReportByField(
            input_formats=DATE_FORMATS,
            widget=forms.DateInput(
                format="%d.%m.%Y", attrs={"placeholder": "25.12.2026", "autocomplete": "off"}
            ),
            error_messages={
                "invalid": _(
                    "That date does not exist. Write it as day.month.year, for example 25.12.2026."
                )
            },
            **common,
        )
    if question.type == "region":
        grouped: list[tuple[str, list[tuple[str, str]]]] = []
        for code, group_label in q.region_groups:
            members = [(r.code, r.label[language]) for r in q.regions if r.group == code]
            if members:
                grouped.append((group_label[language], members))
        choices: list[Any] = [("", "—")]
        choices += grouped
        return ChoiceField(choices=choices, **common)
    if question.type == "textarea":
        # Its limit said in its help, and never cut by the browser (tropa/core/long_text.py)
        with translation.override(language):
            note = limit_note(question.max_length)
        help_text = f"{common.pop('help_text', '')} {note}".strip()
        return LongTextField(
            max_length=question.max_length, strip=True, help_text=help_text, **common
        )
    return CharField(max_length=question.max_length, strip=True, **common)


def form_class(language: str, channel: str = "web", *, short: bool = False) -> type[forms.Form]:
    """The questionnaire as a form; `short`: only the questions asked in surge mode."""
    return _form_class(language if language in languages.CODES else "ru", channel, short)


def asked(channel: str, *, short: bool = False) -> list[Question]:
    return [q for q in load().questions if channel in q.channels and (q.in_surge or not short)]


@cache
def _form_class(language: str, channel: str, short: bool) -> type[forms.Form]:
    q = load()
    fields = {
        question.id: _field(question, q, language) for question in asked(channel, short=short)
    }
    name = f"IntakeForm_{language}_{channel}{'_short' if short else ''}"
    return type(name, (forms.Form,), fields)
