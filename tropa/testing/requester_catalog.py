"""Which messages requesters read: the strings of the public pages, the
portal, check-ins, the self-help page and the Telegram bot. Every requester
language's catalog must translate all of them (tropa/core/tests/test_catalog.py);
staff pages speak Russian and English only, so their strings may stay empty
in the other catalogs. `scripts/i18n` lists what is missing per language.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[1]

SOURCES = (
    "templates/base.html",
    "templates/includes/form_fields.html",
    "templates/includes/question_fields.html",
    "core/templates/core/home.html",
    "core/templates/core/self_help.html",
    "core/templates/core/self_help_parts.html",
    "core/templates/core/bad_request.html",
    "core/templates/core/not_found.html",
    "core/templates/core/csrf_failure.html",
    "core/templates/core/server_error.html",
    "core/templates/core/unavailable.html",
    "intake/templates/intake/*.html",
    "journeys/templates/journeys/portal_checkin.html",
    "intake/views.py",
    "intake/forms.py",
    "intake/checkin.py",
    "core/self_help.py",
    "core/long_text.py",
    "cases/questionnaire.py",
    "channels/texts.py",
)
KEYWORDS = (
    "gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2", "npgettext:1c,2,3",
    "pgettext_lazy:1c,2", "npgettext_lazy:1c,2,3",
)  # fmt: skip


def files() -> list[Path]:
    found: list[Path] = []
    for pattern in SOURCES:
        found.extend(sorted(PACKAGE.glob(pattern)))
    return found


def msgids() -> set[tuple[str, str, str]]:
    """(context, msgid, plural) of every requester-facing message."""
    from django.utils.translation.template import templatize

    with tempfile.TemporaryDirectory() as work:
        inputs = []
        for number, path in enumerate(files()):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".html":
                text = templatize(text, origin=str(path))
            target = Path(work) / f"{number}.py"
            target.write_text(text, encoding="utf-8")
            inputs.append(str(target))
        out = Path(work) / "requester.pot"
        subprocess.run(
            ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-location", "-o",
             str(out), *(f"--keyword={k}" for k in KEYWORDS), *inputs],
            check=True,
        )  # fmt: skip
        return {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in polib.pofile(str(out))}
