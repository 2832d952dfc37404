"""The message catalogs stay complete, correct and compiled.

Tropa speaks Russian first: a requester in Tor Browser or a staff member under
pressure must never meet an untranslated string or a broken placeholder. These
tests fail as soon as the code and tropa/locale drift apart; `scripts/i18n`
regenerates and compiles both catalogs, and then only the new empty Russian
msgstrs need a translator.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tropa.core import languages

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "tropa"
LOCALE = PACKAGE / "locale"
SCRIPT = REPO / "scripts" / "i18n"
FIX = "run scripts/i18n, translate the new empty msgstrs in tropa/locale/ru, run it again"

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Languages requesters may use beyond Tropa's own two: only the strings
# requesters read must be translated (tropa/testing/requester_catalog.py).
REQUESTER_ONLY = [code for code in languages.CODES if code not in languages.STAFF]

# %(name)s and %s style, and str.format's {name}; a literal %% is no placeholder.
PLACEHOLDER = re.compile(
    r"%\((?P<named>[^)]+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"
)


def po_path(language: str) -> Path:
    return LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE / to_locale(language) / "LC_MESSAGES" / "django.mo"


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def show(keys: set[tuple[str, str, str]]) -> str:
    lines = []
    for context, msgid, plural in sorted(keys):
        text = repr(msgid) + (f" / plural {plural!r}" if plural else "")
        lines.append(f"  - {text}" + (f" (context {context!r})" if context else ""))
    return "\n".join(lines)


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text.replace("%%", ""))}


def live_entries(language: str) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(po_path(language))) if not e.obsolete]


def gettext_missing() -> bool:
    return not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msgfmt"))


@pytest.mark.skipif(
    gettext_missing() and os.environ.get("CI") != "true",
    reason="GNU gettext is not installed (apt-get install gettext); CI always runs this",
)
def test_it_has_no_stale_messages(tmp_path):
    # Extract from a copy of the working tree, so the real catalogs stay untouched,
    # with scripts/i18n itself, so the options are exactly the developer's.
    copy = tmp_path / "repo"
    shutil.copytree(
        PACKAGE,
        copy / "tropa",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"),
    )
    (copy / "tropa" / "locale").mkdir()
    shutil.copytree(SCRIPT.parent, copy / "scripts")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tropa.test_settings"}
    env.pop("PYTHONPATH", None)  # the script points it at the copy
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])

    result = subprocess.run(
        ["bash", str(copy / "scripts" / "i18n")],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"scripts/i18n failed:\n{result.stdout}\n{result.stderr}"

    generated = copy / "tropa" / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    in_code = {key(e) for e in polib.pofile(str(generated)) if not e.obsolete and e.msgid}
    committed_po = polib.pofile(str(po_path("ru")))
    committed = {key(e) for e in committed_po if not e.obsolete and e.msgid}
    obsolete_marked = {key(e) for e in committed_po if e.obsolete}

    missing = in_code - committed
    stale = (committed - in_code) | obsolete_marked
    problems = []
    if missing:
        problems.append(f"In the code but not in the Russian catalog:\n{show(missing)}")
    if stale:
        problems.append(f"In the Russian catalog but no longer in the code:\n{show(stale)}")
    assert not problems, "\n".join(problems) + f"\nTo fix: {FIX}."


def test_it_translates_every_message_into_russian():
    entries = live_entries("ru")
    assert entries, "the Russian catalog is empty"
    untranslated = set()
    fuzzy = set()
    for entry in entries:
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(3)]
            if not all(form.strip() for form in forms):
                untranslated.add(key(entry))
        elif not entry.msgstr.strip():
            untranslated.add(key(entry))
        if "fuzzy" in entry.flags:
            fuzzy.add(key(entry))
    problems = []
    if untranslated:
        problems.append(f"Not translated into Russian:\n{show(untranslated)}")
    if fuzzy:
        problems.append(
            "Marked fuzzy (a guess by msgmerge; check the translation, then delete the "
            f"'#, fuzzy' line and any '#| msgid' lines):\n{show(fuzzy)}"
        )
    assert not problems, "\n".join(problems) + f"\nTo fix: {FIX}."


def test_it_keeps_the_russian_plural_forms():
    metadata = polib.pofile(str(po_path("ru"))).metadata
    assert metadata.get("Language") == "ru"
    assert metadata.get("Plural-Forms", "").replace(" ", "") == (
        "nplurals=3;plural=(n%10==1&&n%100!=11?0:n%10>=2&&n%10<=4&&(n%100<10||n%100>=20)?1:2);"
    )


def test_it_keeps_placeholders():
    broken = []
    for entry in live_entries("ru"):
        if entry.msgid_plural:
            # Every Russian form needs the number: form 0 also serves 21, 31, 101...
            expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            texts = [(f" [form {i}]", text) for i, text in sorted(entry.msgstr_plural.items())]
        else:
            expected = placeholders(entry.msgid)
            texts = [("", entry.msgstr)]
        for form, text in texts:
            if text and placeholders(text) != expected:
                broken.append(f"  - {entry.msgid!r}{form}: {text!r}")
    assert not broken, "Placeholders differ between English and Russian:\n" + "\n".join(broken)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_ships_compiled_catalogs_matching_the_sources(language):
    assert mo_path(language).is_file(), f"{mo_path(language)} is missing; {FIX}."

    def translations(catalog: polib.POFile | polib.MOFile) -> dict[tuple[str, str, str], object]:
        found: dict[tuple[str, str, str], object] = {}
        for entry in catalog:
            if entry.obsolete or not entry.msgid or "fuzzy" in entry.flags:
                continue
            if entry.msgid_plural:
                forms = {int(i): s for i, s in entry.msgstr_plural.items()}
                if all(forms.values()):
                    found[key(entry)] = forms
            elif entry.msgstr:
                found[key(entry)] = entry.msgstr
        return found

    source = translations(polib.pofile(str(po_path(language))))
    compiled = translations(polib.mofile(str(mo_path(language))))
    assert compiled == source, (
        f"{mo_path(language).relative_to(REPO)} does not match its .po "
        f"({len(compiled)} compiled, {len(source)} in the source); "
        "run scripts/i18n and commit the .mo together with the .po."
    )


@pytest.mark.django_db
def test_it_renders_pages_in_russian_even_when_the_browser_asks_for_english(client):
    russian = {e.msgid: e.msgstr for e in live_entries("ru")}
    heading = "Help to get away from forced military service"

    # Tor Browser always asks for en-US; requester pages must stay Russian.
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.5").content.decode()
    assert russian[heading] in page
    assert heading not in page

    sign_in = client.get("/staff/login/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert russian["Staff sign-in"] in sign_in

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/").content.decode()
    assert heading in english


def test_every_language_of_the_settings_has_a_catalog_and_a_place_in_the_picker():
    assert set(LANGUAGES) == set(languages.CODES)
    for language in LANGUAGES:
        assert po_path(language).is_file(), f"no catalog for {language}; {FIX}"


@pytest.fixture(scope="module")
def requester_msgids() -> set[tuple[str, str, str]]:
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed")
    from tropa.testing import requester_catalog

    found = requester_catalog.msgids()
    assert len(found) > 100, "the requester sources moved: update requester_catalog.SOURCES"
    return found


@pytest.mark.parametrize("language", REQUESTER_ONLY)
def test_it_translates_every_requester_message(language, requester_msgids):
    done, fuzzy, broken = set(), set(), []
    plurals = int(polib.pofile(str(po_path(language))).metadata["Plural-Forms"].split("=")[1][0])
    for entry in live_entries(language):
        if "fuzzy" in entry.flags:
            fuzzy.add(key(entry))
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(plurals)]
            if all(form.strip() for form in forms):
                done.add(key(entry))
            expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            texts = [text for text in forms if text]
        else:
            if entry.msgstr.strip():
                done.add(key(entry))
            expected, texts = placeholders(entry.msgid), [entry.msgstr] if entry.msgstr else []
        broken += [f"  - {entry.msgid!r}: {t!r}" for t in texts if placeholders(t) != expected]
    problems = []
    if missing := requester_msgids - done:
        problems.append(f"Requester messages not translated into {language}:\n{show(missing)}")
    if stale := fuzzy & requester_msgids:
        problems.append(f"Requester messages marked fuzzy in {language}:\n{show(stale)}")
    if broken:
        problems.append("Placeholders differ from English:\n" + "\n".join(broken))
    assert not problems, (
        "\n".join(problems)
        + f"\nTo fix: run scripts/i18n and translate them in {po_path(language)}."
    )


@pytest.mark.parametrize("language", REQUESTER_ONLY)
def test_each_requester_catalog_says_whether_a_native_speaker_reviewed_it(language):
    po = polib.pofile(str(po_path(language)))
    assert po.metadata.get("X-Tropa-Reviewed") in ("yes", "no")
    assert not po.metadata_is_fuzzy, "a fuzzy header is ignored by msgfmt (plural forms lost)"
    plural = po.metadata.get("Plural-Forms", "").replace(" ", "")
    assert re.fullmatch(r"nplurals=\d;plural=.+;", plural), plural
    assert languages.reviewed(language) is (po.metadata["X-Tropa-Reviewed"] == "yes")


@pytest.mark.parametrize("language", REQUESTER_ONLY)
def test_each_catalogs_plural_forms_follow_the_languages_cldr_rule(language):
    """The header's formula sorts every count the way CLDR's rule (Babel's
    data) does: one gettext form per CLDR category, for 0 to 1000. (Tajik,
    Hindi, Bengali, Sinhala and Dari count 0 as "one"; Arabic has six.)"""
    import gettext

    from babel import Locale

    po = polib.pofile(str(po_path(language)))
    formula = po.metadata["Plural-Forms"].split("plural=", 1)[1].strip().rstrip(";")
    form_of = gettext.c2py(formula)
    rule = Locale.parse(to_locale(language)).plural_form
    forms: dict[str, set[int]] = {}
    for n in range(1001):
        forms.setdefault(rule(n), set()).add(form_of(n))
    assert all(len(f) == 1 for f in forms.values()), forms
    assert len({f.pop() for f in forms.values()}) == len(forms), forms


@pytest.mark.parametrize("language", REQUESTER_ONLY)
def test_the_questionnaire_speaks_every_requester_language(language):
    """Every question, help text, choice and part of the country; the names
    of regions alone stay in English (docs/intake.md)."""
    from tropa.cases import questionnaire

    q = questionnaire.load()
    texts = [("intro", q.intro)]
    for question in q.questions:
        texts.append((question.id, question.label))
        if question.help:
            texts.append((f"{question.id} help", question.help))
        texts += [(f"{question.id}={o.value}", o.label) for o in question.options]
    texts += [(f"region group {code}", label) for code, label in q.region_groups]
    missing = [where for where, text in texts if not dict.get(text, language)]
    assert not missing, f"questionnaire texts without {language}: {missing}"
