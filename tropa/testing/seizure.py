"""The seizure tests' tools: markers in every encoding, images of a running and a
stopped server (files, WAL, sessions, PostgreSQL dump and data files), and the
search that must find nothing."""

from __future__ import annotations

import base64
import contextlib
import html
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from tropa.cases import aliases
from tropa.intake import codenames
from tropa.testing.cli import (
    Server,
    await_server,
    launch_server,
    parse_words,
    snapshot,
    tropa,
)

CYRILLIC = "абвгдежзиклмнопрстуфхцчшэюя"


# Unique to this run: every marker starts with one of these, so a search for
# the prefixes finds any marker, whole or cut short.
ASCII_PREFIX = "zq" + secrets.token_hex(5)


CYRILLIC_PREFIX = "".join(secrets.choice(CYRILLIC) for _ in range(8))


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


CODENAME = re.compile(r'<p class="codename"[^>]*>(.*?)</p>', re.S)


CASE_LINK = re.compile(r'href="/staff/cases/([0-9a-f-]{36})/"')


H1 = re.compile(r"<h1>\s*(.*?)\s*</h1>", re.S)


# Reading new files under the temporary directory: bounded, whatever else runs.
TEMP_FILE_LIMIT = 64 * 1024 * 1024


@dataclass
class Markers:
    """Marker strings, each unique to one field of one request."""

    used: dict[str, str] = field(default_factory=dict)  # marker -> where it went

    def ascii(self, where: str) -> str:
        marker = ASCII_PREFIX + uuid.uuid4().hex[:12]
        self.used[marker] = where
        return marker

    def cyrillic(self, where: str) -> str:
        marker = CYRILLIC_PREFIX + "".join(secrets.choice(CYRILLIC) for _ in range(8))
        self.used[marker] = where
        return marker


def base64_forms(data: bytes) -> list[bytes]:
    """`data` as it shows inside any base64 text, whatever its offset (std and URL-safe)."""
    forms = []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + data)
        # Drop the characters that mix in the padding bytes or what follows.
        start = {0: 0, 1: 2, 2: 3}[pad]
        usable = (len(data) + pad) // 3 * 4
        core = encoded[start:usable]
        if len(core) >= 8:
            forms += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return forms


def text_forms(text: str) -> tuple[list[bytes], list[bytes]]:
    """Encodings of `text` to look for: (case-insensitive ones, case-sensitive ones)."""
    utf8 = text.encode()
    folded = [
        utf8,
        text.encode("utf-16-le"),
        text.encode("utf-16-be"),
        utf8.hex().encode(),
        json.dumps(text, ensure_ascii=True)[1:-1].encode(),  # \u043c...
        urllib.parse.quote(text).encode(),
        urllib.parse.quote_plus(text).encode(),
        html.escape(text).encode(),
    ]
    for legacy in ("cp1251", "koi8-r"):
        with contextlib.suppress(UnicodeEncodeError):  # an ASCII-only legacy form is utf8's
            folded.append(text.encode(legacy))
    return [f.lower() for f in dict.fromkeys(folded)], base64_forms(utf8)


@dataclass
class Needles:
    """What must not be found: names for people, byte strings for the search."""

    folded: dict[bytes, str] = field(default_factory=dict)
    exact: dict[bytes, str] = field(default_factory=dict)

    def add(self, text: str, name: str) -> None:
        folded, exact = text_forms(text)
        for needle in folded:
            self.folded.setdefault(needle, name)
        for needle in exact:
            self.exact.setdefault(needle, name)

    def add_codename(self, codename: str, where: str) -> None:
        words = codenames.normalise(codename).split(" ")
        # Lower case is folded by the search for Latin letters only, so Cyrillic
        # upper case (as a person may type it to sign in) is a needle of its own.
        for case in (str.lower, str.upper):
            cased = [case(word) for word in words]
            self.add(" ".join(cased), f"codename of {where}")
            for joined in ("-".join(cased), "".join(cased)):
                self.folded.setdefault(joined.encode().lower(), f"codename of {where}")
            for i in range(len(cased) - 2):  # any three words in a row
                window = " ".join(cased[i : i + 3])
                for needle in (window.encode(), window.encode("utf-16-le")):
                    name = f"three words of the codename of {where}"
                    self.folded.setdefault(needle.lower(), name)

    def found_in(self, content: bytes) -> list[str]:
        lowered = content.lower()
        found = [name for needle, name in self.folded.items() if needle in lowered]
        found += [name for needle, name in self.exact.items() if needle in content]
        return sorted(set(found))


def assert_nothing_found(needles: Needles, places: dict[str, bytes], markers: Markers) -> None:
    leaks = {}
    for place, content in places.items():
        found = needles.found_in(content)
        if found:
            leaks[place] = found
    if leaks:
        detail = {
            place: [
                name + (f" ({markers.used[name]})" if name in markers.used else "")
                for name in names
            ]
            for place, names in leaks.items()
        }
        pytest.fail(f"requester data found after seizure: {json.dumps(detail, indent=1)}")


def needles_for(markers: Markers, codenames_kept: dict[str, str]) -> Needles:
    needles = Needles()
    needles.add(ASCII_PREFIX, "an ASCII marker")
    needles.add(CYRILLIC_PREFIX, "a Cyrillic marker")
    for marker in markers.used:
        needles.add(marker, marker)
    for where, codename in codenames_kept.items():
        needles.add_codename(codename, where)
    return needles


@dataclass
class Response:
    status: int
    url: str
    body: str


class Visitor:
    """One browser: its own cookies, forms sent as a browser sends them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def _open(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=15) as response:
                page = Response(
                    response.status, response.url, response.read().decode(errors="replace")
                )
        except urllib.error.HTTPError as error:
            page = Response(error.code, error.url, error.read().decode())
        if match := TOKEN.search(page.body):
            self.token = match.group(1)
        return page

    def get(self, path: str) -> Response:
        return self._open(path)

    def post(self, path: str, fields: list[tuple[str, str]]) -> Response:
        body = urllib.parse.urlencode([("csrfmiddlewaretoken", self.token), *fields]).encode()
        return self._open(path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(
        self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, bytes]]
    ) -> Response:
        boundary = "----tropa" + uuid.uuid4().hex
        parts = []
        for name, value in [("csrfmiddlewaretoken", self.token), *fields]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + value.encode()
                + b"\r\n"
            )
        for filename, content in files:
            quoted = urllib.parse.quote(filename)
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f"filename=\"{quoted}\"; filename*=UTF-8''{quoted}\r\n"
                "Content-Type: text/plain\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        content_type = f"multipart/form-data; boundary={boundary}"
        return self._open(path, body, {"Content-Type": content_type})

    def session_key(self) -> str:
        return next(c.value for c in self.jar if c.name == "tropa_session")


def choose_language(visitor: Visitor, language: str) -> None:
    assert visitor.get("/").status == 200
    if language == "en":
        page = visitor.post("/language/", [("language", "en"), ("next", "/")])
        assert page.status == 200
        assert '<html lang="en" dir="ltr">' in page.body


def request_fields(markers: Markers, language: str, label: str, **answers: str) -> list[tuple]:
    """A full questionnaire whose free text carries markers in every text field."""
    report_by = (date.today() + timedelta(days=5)).strftime("%d.%m.%Y")  # noqa: DTZ011
    if language == "ru":
        story = (
            f"Меня зовут {markers.cyrillic(label + ' story ru')}, повестка пришла вчера. "
            f"Код дела {markers.ascii(label + ' story')}. Помогите уехать."
        )
        name = f"Иван {markers.cyrillic(label + ' name ru')} {markers.ascii(label + ' name')}"
        spoken = f"русский, татарский {markers.cyrillic(label + ' languages ru')}"
    else:
        story = (
            f"My name is {markers.ascii(label + ' story')}, I signed a contract "
            f"in {markers.cyrillic(label + ' story ru')} and want out."
        )
        name = f"John {markers.ascii(label + ' name')}"
        spoken = f"English, Uzbek {markers.ascii(label + ' languages')}"
    fields = {
        "situation": "at_front",
        "region": "tatarstan",
        "report_by": report_by,
        "health": "yes",
        "russian": "basic",
        "languages": spoken,
        "deceived": "yes",
        "asking": "self",
        "contact_method": "telegram",
        "contact_handle": f"@{markers.ascii(label + ' contact')}",
        "name": name,
        "story": story,
    }
    fields.update(answers)
    return [*fields.items(), ("documents", "internal_passport"), ("documents", "military_id")]


def words_on(page: Response) -> str:
    match = CODENAME.search(page.body)
    assert match, page.body[:3000]
    words = [html.unescape(w).strip() for w in re.findall(r"<span>([^<]*)</span>", match[1])]
    assert len(words) == codenames.WORDS_PER_CODENAME, words
    return " ".join(words)


def submit(visitor: Visitor, fields: list[tuple]) -> str:
    """Send a request, keep the codename, confirm it is written down; return it."""
    form = visitor.get("/request/")
    assert form.status == 200
    page = visitor.post("/request/", fields)
    assert page.status == 200 and page.url.endswith("/request/codename/"), page.body[:3000]
    codename = words_on(page)
    page = visitor.post("/request/codename/", [("kept", "on")])
    assert page.status == 200 and page.url.endswith("/portal/"), page.body[:3000]
    return codename


def write(
    visitor: Visitor, text: str, files: tuple[tuple[str, bytes], ...] = (), status: int = 200
) -> Response:
    visitor.get("/portal/")
    page = visitor.post_multipart("/portal/send/", [("text", text)], list(files))
    assert page.status == status, page.body[:3000]
    return page


def run_scenario(base: str, markers: Markers) -> tuple[dict[str, str], Visitor]:
    """What requesters do, with markers everywhere; returns the codenames kept.

    Also returns a visitor left signed in, whose session must be on disk.
    """
    kept = {}

    # Russian, the default: a request, a message, a file
    ru = Visitor(base)
    choose_language(ru, "ru")
    kept["request ru"] = submit(ru, request_fields(markers, "ru", "request ru"))
    write(ru, f"Добрый день, это {markers.cyrillic('message ru')} {markers.ascii('message ru')}")
    note = f"Повестка № {markers.cyrillic('file ru')} {markers.ascii('file ru')}\n".encode()
    page = write(ru, "", ((f"повестка-{markers.ascii('file name ru')}.txt", note),))
    assert "повестка-" in page.body

    # English: a request, a message, a file
    en = Visitor(base)
    choose_language(en, "en")
    kept["request en"] = submit(
        en, request_fields(markers, "en", "request en", situation="contract")
    )
    write(en, f"Hello, this is {markers.ascii('message en')}.")
    note = f"Summons number {markers.ascii('file en')}\n".encode()
    write(en, "", ((f"summons-{markers.ascii('file name en')}.txt", note),))

    # Refused, so never stored: the codename in a message, a file that is not text,
    # an impossible date, a wrong codename at sign-in
    leaky = f"{kept['request en']} {markers.ascii('refused message')}"
    page = write(en, leaky, status=400)
    assert "Your message contains your codename" in page.body
    binary = b"\0\1\2" + markers.ascii("refused file").encode() + b"\0"
    page = write(en, "", (("photo.exe", binary),), status=400)
    assert "is not a photo, PDF or text file" in page.body
    bad = Visitor(base)
    choose_language(bad, "en")
    bad.get("/request/")
    page = bad.post(
        "/request/",
        request_fields(markers, "en", "invalid request", report_by="31.02.2026"),
    )
    assert page.status == 400, page.body[:3000]
    assert markers_in(page.body, markers, "invalid request")  # kept for the person
    bad.get("/portal/login/")
    wrong = f"{markers.ascii('wrong codename')} {markers.cyrillic('wrong codename ru')}"
    page = bad.post("/portal/login/", [("codename", wrong)])
    assert page.status == 200 and "We found no conversation" in page.body

    # A third person writes, then deletes everything
    gone = Visitor(base)
    choose_language(gone, "ru")
    kept["deleted request"] = submit(gone, request_fields(markers, "ru", "deleted request"))
    write(gone, f"Удалите всё {markers.cyrillic('deleted message')}")
    gone.get("/portal/delete/")
    page = gone.post("/portal/delete/", [("confirm", "on")])
    assert page.status == 200 and "portal/login" not in page.url

    # The first person signs out and back in, and reads their conversation:
    # the server could open everything it sealed.
    ru.get("/portal/")
    ru.post("/portal/logout/", [])
    ru.get("/portal/login/")
    page = ru.post("/portal/login/", [("codename", kept["request ru"].upper())])
    assert page.url.endswith("/portal/"), page.body[:3000]
    assert markers_in(page.body, markers, "message ru")
    return kept, ru


def markers_in(text: str, markers: Markers, where: str) -> bool:
    mine = [m for m, place in markers.used.items() if place.startswith(where)]
    return bool(mine) and all(m in text for m in mine)


def no_markers_in(text: str, markers: Markers, where: str) -> bool:
    mine = [m for m, place in markers.used.items() if place.startswith(where)]
    return bool(mine) and not any(m in text for m in mine)


def created_staff(data: Path, env: dict[str, str], username: str, role: str) -> str:
    """`tropa createstaff` in the server's data directory; the temporary password."""
    done = tropa("createstaff", username, "--role", role, data=data, env=env)
    assert done.returncode == 0, done.stderr
    match = re.search(r"Temporary password[^:]*: (\S+)", done.stdout)
    assert match, done.stdout
    return match.group(1)


def totp_now(secret: str) -> str:
    from django_otp.oath import totp

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def first_sign_in(base: str, username: str, temporary: str) -> Visitor:
    """Sign in with the temporary password, enrol two-factor, choose a password."""
    staff = Visitor(base)
    choose_language(staff, "en")
    staff.get("/staff/login/")
    page = staff.post(
        "/staff/login/", [("username", username), ("password", temporary), ("code", "")]
    )
    assert page.url.endswith("/staff/two-factor/"), page.body[:3000]
    secret = re.search(r'<code class="secret">([^<]+)</code>', page.body)
    assert secret, page.body[:3000]
    page = staff.post("/staff/two-factor/", [("code", totp_now("".join(secret[1].split())))])
    assert page.url.endswith("/staff/recovery-codes/"), page.body[:3000]
    page = staff.get("/staff/cases/")
    assert page.url.endswith("/staff/password/"), page.url  # the password comes first
    chosen = secrets.token_urlsafe(18)
    page = staff.post(
        "/staff/password/", [("current", temporary), ("new", chosen), ("repeat", chosen)]
    )
    assert page.status == 200 and "Your password is changed." in page.body, page.body[:3000]
    return staff


def option_value(page: Response, select: str, label_start: str) -> str:
    """The value of the option of <select name=`select`> whose label starts with `label_start`."""
    block = re.search(rf'<select name="{select}"[^>]*>(.*?)</select>', page.body, re.S)
    assert block, page.body[:3000]
    for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block[1]):
        if html.unescape(label).startswith(label_start):
            return value
    raise AssertionError(f"no option {label_start!r} in {block[1]}")


@dataclass
class Casework:
    case_id: str
    alias: str


def is_alias(text: str) -> bool:
    """A given name and a word from tropa/cases/aliases.py, nothing else."""
    given, _space, word = text.partition(" ")
    return given in aliases.GIVEN_NAMES and word in aliases.WORDS


def run_casework(
    base: str, data: Path, env: dict[str, str], words: list[str], markers: Markers, ru: Visitor
) -> Casework:
    """Staff triage, assign and work on the Russian request, with markers in all they write.

    `ru` is the requester of that request, signed in: they read the reply.
    """
    # A coordinator (with the intake key, restored from the recovery words) and a consultant
    # (her keys are made at her first sign-in, so the key is restored after it).
    olga_password = created_staff(data, env, "olga", "coordinator")
    ivan_password = created_staff(data, env, "ivan", "consultant")
    olga = first_sign_in(base, "olga", olga_password)
    ivan = first_sign_in(base, "ivan", ivan_password)
    done = tropa("recover", "olga", data=data, env=env, stdin=" ".join(words) + "\n")
    assert done.returncode == 0, done.stderr

    # The coordinator opens the inbox and the request, and accepts it
    inbox = olga.get("/staff/inbox/")
    assert inbox.status == 200, inbox.body[:3000]
    rows = re.findall(r'<a href="/staff/cases/([0-9a-f-]{36})/">([^<]*)</a>', inbox.body)
    assert len(rows) == 2, rows  # the third request was deleted by its requester
    case_id = next(pk for pk, label in rows if label == "In a unit or at the front")
    page = olga.get(f"/staff/cases/{case_id}/")
    assert page.status == 200 and markers_in(page.body, markers, "request ru story")
    page = olga.post(f"/staff/cases/{case_id}/accept/", [])
    assert page.status == 200 and page.url.endswith(f"/staff/cases/{case_id}/"), page.body[:3000]
    alias = html.unescape(H1.search(page.body)[1])
    assert is_alias(alias), alias
    assert "Accepted as a case." in page.body

    # And assigns the consultant with the form on the case page
    ivan_pk = option_value(page, "staff", "ivan")
    page = olga.post(f"/staff/cases/{case_id}/assign/", [("staff", ivan_pk), ("instead_of", "")])
    assert "ivan is on the case." in page.body, page.body[:3000]

    # The consultant finds the case in their list and works on it
    mine = ivan.get("/staff/cases/")
    assert CASE_LINK.findall(mine.body) == [case_id] and html.escape(alias) in mine.body
    case_url = f"/staff/cases/{case_id}/"
    page = ivan.get(case_url)
    assert page.status == 200 and markers_in(page.body, markers, "request ru story")
    reply = f"Здравствуйте, {markers.cyrillic('staff reply ru')} {markers.ascii('staff reply')}"
    page = ivan.post_multipart(case_url + "reply/", [("text", reply), ("action", "send")], [])
    assert "Reply sent." in page.body, page.body[:3000]
    note = f"Заметка {markers.cyrillic('internal note ru')} {markers.ascii('internal note')}"
    page = ivan.post(case_url + "note/", [("text", note)])
    assert "Note added." in page.body, page.body[:3000]
    content = f"Протокол {markers.cyrillic('team file ru')} {markers.ascii('team file')}\n"
    name = f"протокол-{markers.ascii('team file name')}.txt"
    caption = f"Скан {markers.ascii('team file caption')}"
    page = ivan.post_multipart(
        case_url + "files/", [("caption", caption)], [(name, content.encode())]
    )
    assert "Files added for the team." in page.body, page.body[:3000]
    links = re.findall(rf'href="({case_url}files/[0-9a-f-]{{36}}/)">([^<]*)</a>', page.body)
    download = [url for url, label in links if html.unescape(label) == name]
    assert len(download) == 1, links
    assert ivan.get(download[0]).body == content  # sealed, and opened again
    title = f"Позвонить {markers.cyrillic('task title ru')} {markers.ascii('task title')}"
    page = ivan.post(case_url + "tasks/", [("title", title), ("owner", ivan_pk), ("due", "")])
    assert "Task added." in page.body and markers_in(page.body, markers, "task title")

    # The consultant opens an application to a safer country and fills in
    # every sealed field of it, and of its checklist
    page = ivan.post(case_url + "applications/new/", [("country", "DE"), ("route", "asylum")])
    assert "Application opened." in page.body, page.body[:3000]
    application_url = urllib.parse.urlsplit(page.url).path
    details = [
        ("office", f"Консульство {markers.cyrillic('application office ru')}"),
        ("references", markers.ascii("application references")),
        ("appointment", f"Окно 3 {markers.cyrillic('application appointment ru')}"),
        ("notes", f"Заметка {markers.cyrillic('application notes ru')}"),
        ("lead", option_value(page, "lead", "ivan")),
    ]
    page = ivan.post(application_url + "details/", details)
    assert "Application saved." in page.body, page.body[:3000]
    document = f"Справка {markers.cyrillic('checklist title ru')}"
    page = ivan.post(application_url + "items/", [("title", document)])
    assert markers_in(page.body, markers, "checklist title"), page.body[:3000]
    item = re.findall(r'id="item-(\d+)"', page.body)[0]
    item_note = f"Копия {markers.cyrillic('checklist note ru')}"
    page = ivan.post(
        application_url + f"items/{item}/",
        [(f"i{item}-status", "have"), (f"i{item}-note", item_note), (f"i{item}-attachment", "")],
    )
    assert markers_in(page.body, markers, "checklist note"), page.body[:3000]
    assert markers_in(page.body, markers, "application notes"), page.body[:3000]

    # The consultant produces a legal document from a starter template, with
    # markers in its fields, and keeps a sealed copy: rendered in memory, the
    # document reaches no disk in plaintext (temporary folders are searched too)
    templates = ivan.get("/staff/legal/templates/")
    assert templates.status == 200, templates.body[:3000]
    page = ivan.get(case_url)
    links = re.findall(rf'href="({case_url}documents/\d+/)">([^<]*)</a>', page.body)
    complaint = [url for url, label in links if html.unescape(label).startswith("Жалоба")][0]
    fields = [
        ("last_name", "Маркеров"),
        ("first_name", "Илья"),  # names are inflected: the markers go where text is kept as is
        ("address", f"г. {markers.cyrillic('document address ru')}"),
        ("commissariat", markers.ascii("document commissariat")),
        ("decision_date", "01.12.2026"),
        ("keep", "on"),
        ("action", "produce"),
    ]
    produced = ivan.post(complaint, fields)
    assert produced.status == 200 and produced.body.startswith("PK"), produced.body[:300]

    # The coordinator fills the sealed directory; the consultant refers the
    # person to a psychologist from it, with consent, and records a session
    service = [
        ("name", f"Психолог {markers.cyrillic('partner name ru')}"),
        ("kind", "psychologist"),
        ("mode", "remote"),
        ("contacts", markers.ascii("partner contacts")),
        ("how_to_refer", f"Писать {markers.cyrillic('partner rules ru')}"),
        ("verified_on", "01.12.2026"),
    ]
    page = olga.post("/staff/directory/new/service/", service)
    assert "Directory entry saved." in page.body, page.body[:3000]
    point = [
        ("name", f"Пункт {markers.cyrillic('route point name ru')}"),
        ("point_type", "border"),
        ("status", "risky"),
        ("status_note", markers.ascii("route point note")),
        ("verified_on", "01.12.2026"),
    ]
    page = olga.post("/staff/directory/new/route_point/", point)
    assert "Directory entry saved." in page.body, page.body[:3000]
    # The coordinator leaves a handover note for the next on duty (sealed)
    handover = f"Смена {markers.cyrillic('handover note ru')} {markers.ascii('handover note')}"
    page = olga.post("/staff/roster/handover/", [("text", handover)])
    assert "The handover note is left" in page.body, page.body[:3000]
    assert markers_in(page.body, markers, "handover note"), page.body[:3000]
    # The coordinator holds the case past its retention period, for a legal need (sealed)
    reason = f"Суд {markers.cyrillic('hold reason ru')} {markers.ascii('hold reason')}"
    page = olga.post(case_url + "hold/", [("reason", reason)])
    assert "The case is held" in page.body, page.body[:3000]
    assert markers_in(page.body, markers, "hold reason"), page.body[:3000]
    page = ivan.get(case_url + "referrals/new/")
    service_id = option_value(page, "service", "Психолог")
    page = ivan.post(
        case_url + "referrals/new/",
        [
            ("service", service_id),
            ("kind", "psychologist"),
            ("notes", markers.ascii("referral notes")),
        ],
    )
    assert "Referral proposed." in page.body, page.body[:3000]
    referral_url = urllib.parse.urlsplit(page.url).path
    consent = f"Согласие {markers.cyrillic('referral consent ru')}"
    page = ivan.post(referral_url, [("form", "consent"), ("consent_scope", consent)])
    assert markers_in(page.body, markers, "referral consent"), page.body[:3000]
    page = ivan.post(
        referral_url,
        [("form", "status"), ("status", "ongoing"), ("shared", markers.ascii("referral shared"))],
    )
    assert "Referral saved." in page.body, page.body[:3000]
    page = ivan.post(
        referral_url,
        [("form", "session"), ("held_on", "02.12.2026"), ("minutes", "50"),
         ("note", f"Сессия {markers.cyrillic('session note ru')}")],
    )  # fmt: skip
    assert "Referral saved." in page.body, page.body[:3000]

    # The consultant searches: for a word of the note (found) and for words in no
    # case at all; neither query may reach the database, its WAL or the logs
    found = ivan.post("/staff/search/", [("q", markers.cyrillic("search query found ru"))])
    assert found.status == 200 and "Nothing found" in found.body, found.body[:3000]
    note_word = [w for w in note.split() if w.startswith(CYRILLIC_PREFIX)][0]
    found = ivan.post("/staff/search/", [("q", note_word.upper())])
    assert found.status == 200 and html.escape(alias) in found.body, found.body[:3000]
    missed = ivan.post("/staff/search/", [("q", markers.ascii("search query missed"))])
    assert missed.status == 200 and html.escape(alias) not in missed.body

    # The coordinator reveals the name, which the page shows for this once
    page = olga.get(case_url)
    assert markers_in(page.body, markers, "staff reply") and markers_in(
        page.body, markers, "internal note"
    )
    assert no_markers_in(page.body, markers, "request ru name")  # hidden
    page = olga.post(case_url + "reveal/", [("question", "name")])
    assert page.status == 200 and markers_in(page.body, markers, "request ru name")
    assert no_markers_in(olga.get(case_url).body, markers, "request ru name")

    # The requester reads the reply, and nothing meant for the team
    page = ru.get("/portal/")
    assert markers_in(page.body, markers, "staff reply"), page.body[:3000]
    for internal in (
        "internal note", "team file", "task title", "application", "checklist", "partner",
        "referral", "session", "hold reason", "handover note",
    ):  # fmt: skip
        assert no_markers_in(page.body, markers, internal), internal
    return Casework(case_id, alias)


def alias_cells(tables: dict[str, tuple[list[str], list[tuple]]], alias: str) -> set[str]:
    """`table.column` of every stored cell (decoded session data too) holding the alias."""
    needle = alias.encode()
    found = set()
    for table, (columns, rows) in tables.items():
        for row in rows:
            for column, cell in zip(columns, row, strict=True):
                if isinstance(cell, memoryview | bytes | bytearray):
                    content = bytes(cell)
                else:
                    content = str(cell).encode()
                if table == "django_session" and column == "session_data":
                    content += next(iter(decoded_sessions([(content.decode(),)]).values()))
                if needle in content:
                    found.add(f"{table}.{column}")
    return found


def assert_alias_only_in_its_column(
    tables: dict[str, tuple[list[str], list[tuple]]], casework: Casework
) -> None:
    assert alias_cells(tables, casework.alias) == {"cases_case.alias"}
    columns, rows = tables["cases_case"]
    ids = {str(uuid.UUID(str(row[columns.index("id")]))) for row in rows}
    assert casework.case_id in ids


def alias_in_old_sessions(sessions: dict[str, bytes], casework: Casework) -> None:
    """The alias is in no session value either, old versions included.

    Flash messages live in the session row (MESSAGE_STORAGE), and its
    superseded versions outlast it (SQLite WAL, PostgreSQL dead tuples and
    WAL): no message may carry an alias or any content.
    """
    escaped = json.dumps(casework.alias)[1:-1]  # messages are JSON inside the JSON session
    forms = [casework.alias, escaped, json.dumps(escaped)[1:-1]]
    forms = [form.encode() for form in forms]
    found = sorted(place for place, value in sessions.items() if any(f in value for f in forms))
    if found:
        pytest.fail(f"the case alias is in old session versions (flash messages): {found}")


def copy_of_database(data: Path, name: str) -> Path:
    """A copy of the SQLite database with its WAL, to read without touching the original."""
    copy = data.parent / name
    shutil.copy(data / "tropa.sqlite3", copy)
    for suffix in ("-wal", "-shm"):
        if (data / f"tropa.sqlite3{suffix}").exists():
            shutil.copy(data / f"tropa.sqlite3{suffix}", f"{copy}{suffix}")
    return copy


def sqlite_tables(data: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    import sqlite3

    db = sqlite3.connect(copy_of_database(data, "tables-copy.sqlite3"))
    try:
        names = [
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        tables = {}
        for name in names:
            cursor = db.execute(f'SELECT * FROM "{name}"')  # noqa: S608 (names from the schema)
            tables[name] = ([d[0] for d in cursor.description], cursor.fetchall())
    finally:
        db.close()
    return tables


def answering(server: Server) -> None:
    with urllib.request.urlopen(server.url + "/", timeout=1):  # noqa: S310
        pass


def start(data: Path, logs: Path, env: dict[str, str]) -> Server:
    """`tropa serve` on a free loopback port; return once it answers a page."""
    return await_server(launch_server(data, logs, env=env), answering)


def file_listing(root: Path, skip: Path) -> dict[Path, tuple[int, int]]:
    """Regular files under `root` (not under `skip`) with their size and mtime.

    The directories of the tool that runs these sessions (/tmp/bash_*) are
    no part of Tropa and are left alone.
    """
    listing = {}
    for directory, subdirs, files in os.walk(root):
        if Path(directory) == skip or Path(directory).name.startswith("bash_"):
            subdirs[:] = []
            continue
        subdirs[:] = [name for name in subdirs if not name.startswith("bash_")]
        for name in files:
            path = Path(directory) / name
            try:
                stat = path.lstat()
            except OSError:
                continue
            if stat.st_mode & 0o170000 == 0o100000:  # a regular file
                listing[path] = (stat.st_size, stat.st_mtime_ns)
    return listing


def read_changed(before: dict[Path, tuple[int, int]], after: dict[Path, tuple[int, int]]):
    """Bytes of the files that are new or changed, those that can be read."""
    places = {}
    budget = TEMP_FILE_LIMIT
    for path, (size, mtime) in sorted(after.items()):
        if before.get(path) == (size, mtime) or size > budget:
            continue
        try:
            content = path.read_bytes()
        except OSError:
            continue
        budget -= len(content)
        places[str(path)] = content
    return places


def decoded_sessions(rows: list[tuple[str]]) -> dict[str, bytes]:
    """Django session rows decoded (base64, maybe zlib), as an attacker reads them."""
    places = {}
    for index, (data,) in enumerate(rows):
        payload = data.split(":", 1)[0]
        compressed = payload.startswith(".")
        payload = payload.removeprefix(".")
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        places[f"decoded session row {index}"] = zlib.decompress(raw) if compressed else raw
    return places


# A signed session value: base64 payload (a leading dot: compressed), timestamp, signature.
SIGNED_SESSION = re.compile(rb"\.?[A-Za-z0-9_-]{16,}:[A-Za-z0-9_-]{6,}:[A-Za-z0-9_-]{20,}")


def stale_sessions(places: dict[str, bytes]) -> dict[str, bytes]:
    """Every session value left anywhere in the raw bytes, decoded: old row
    versions too (a WAL, dead tuples, free pages), which no query returns and
    whose compressed payload a byte search alone cannot read."""
    found = {}
    for place, content in places.items():
        for index, match in enumerate(SIGNED_SESSION.finditer(content)):
            try:
                (decoded,) = decoded_sessions([(match.group().decode(),)]).values()
            except (ValueError, zlib.error):
                continue
            if decoded.startswith(b"{"):
                found[f"session value {index} in {place}"] = decoded
    return found


def image_running(data: Path) -> dict[str, bytes]:
    """The data directory as an image of the running server shows it (the WAL too)."""
    return {f"running data/{name}": content for name, (_mode, content) in snapshot(data).items()}


def seize_files(tmp_path: Path, server: Server, temp_before: dict) -> dict[str, bytes]:
    places = {"server output": server.stdout.read_bytes() + server.stderr.read_bytes()}
    for name, (_mode, content) in snapshot(tmp_path).items():
        places[f"{tmp_path.name}/{name}"] = content
    temp_after = file_listing(Path(tempfile.gettempdir()), skip=tmp_path)
    places |= read_changed(temp_before, temp_after)
    return places


def sqlite_sessions(data: Path) -> dict[str, bytes]:
    import sqlite3

    db = sqlite3.connect(copy_of_database(data, "sessions-copy.sqlite3"))
    try:
        rows = db.execute("SELECT session_data FROM django_session").fetchall()
    finally:
        db.close()
    return decoded_sessions(rows)


@pytest.fixture
def temp_before(tmp_path) -> dict[Path, tuple[int, int]]:
    return file_listing(Path(tempfile.gettempdir()), skip=tmp_path)


def init_and_serve(tmp_path: Path, env: dict[str, str]) -> tuple[Path, Server, list[str]]:
    """`tropa init` and `tropa serve`; also the recovery words init printed."""
    data = tmp_path / "data"
    logs = tmp_path / "logs"
    logs.mkdir()
    done = tropa("init", data=data, env=env)
    assert done.returncode == 0, done.stderr
    words = parse_words(done.stdout)
    assert len(words) == 24, done.stdout
    return data, start(data, logs, env), words


def stop(server: Server) -> None:
    code = server.stop()
    assert code in (0, -signal.SIGTERM), server.output()


@dataclass
class Cluster:
    url: urllib.parse.SplitResult
    data_directory: Path | None

    def connect(self, dbname: str | None = None):
        import psycopg

        return psycopg.connect(
            host=self.url.hostname,
            port=self.url.port or 5432,
            user=self.url.username,
            password=self.url.password,
            dbname=dbname or self.url.path.lstrip("/") or "postgres",
            autocommit=True,
        )

    def database_url(self, dbname: str) -> str:
        return urllib.parse.urlunsplit(self.url._replace(path="/" + dbname))


@pytest.fixture
def cluster() -> Cluster:
    url = urllib.parse.urlsplit(os.environ["TROPA_DATABASE_URL"])
    probe = Cluster(url, None)
    with probe.connect() as connection:
        directory = connection.execute("SHOW data_directory").fetchone()[0]
    path = Path(directory)
    readable = os.access(path / "base", os.R_OK | os.X_OK)
    return Cluster(url, path if readable else None)


@pytest.fixture
def fresh_database(cluster) -> Iterator[str]:
    name = f"tropa_seizure_{secrets.token_hex(6)}"
    with cluster.connect() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with cluster.connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_files(cluster: Cluster, dbname: str, wal_before: dict) -> dict[str, bytes]:
    """The database's data files and the WAL written meanwhile, after a checkpoint."""
    assert cluster.data_directory is not None
    with cluster.connect() as connection:
        connection.execute("CHECKPOINT")
        oid = connection.execute(
            "SELECT oid FROM pg_database WHERE datname = %s", [dbname]
        ).fetchone()[0]
    places = {}
    for path in sorted((cluster.data_directory / "base" / str(oid)).iterdir()):
        if path.is_file():
            places[f"pg base/{oid}/{path.name}"] = path.read_bytes()
    wal = cluster.data_directory / "pg_wal"
    for path, content in read_changed(wal_before, file_listing(wal, skip=wal / "x")).items():
        places[f"pg wal {Path(path).name}"] = content
    return places


def pg_logs_listing(cluster: Cluster) -> dict[Path, tuple[int, int]]:
    listing = {}
    for directory in (Path("/var/log/postgresql"), (cluster.data_directory or Path("/-")) / "log"):
        if os.access(directory, os.R_OK | os.X_OK):
            listing |= file_listing(directory, skip=directory / "x")
    return listing


def pg_tables(connection) -> dict[str, tuple[list[str], list[tuple]]]:
    names = connection.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    ).fetchall()
    tables = {}
    for (name,) in names:
        cursor = connection.execute(f'SELECT * FROM "{name}"')  # noqa: S608 (from the schema)
        tables[name] = ([d.name for d in cursor.description], cursor.fetchall())
    return tables


def assert_alias_only_in_case_rows(dump: bytes, casework: Casework) -> None:
    """In a plain pg_dump, the alias is only on the case's row of `COPY public.cases_case`."""
    table = ""
    lines = []
    for line in dump.decode().splitlines():
        if line.startswith("COPY "):
            table = line.split()[1]
        elif line == "\\.":
            table = ""
        if casework.alias in line:
            lines.append((table, line.startswith(casework.case_id)))
    assert lines == [("public.cases_case", True)], lines


def pg_dump(cluster: Cluster, dbname: str) -> bytes:
    env = dict(os.environ)
    if cluster.url.password:
        env["PGPASSWORD"] = cluster.url.password
    done = subprocess.run(  # noqa: S603
        ["pg_dump", "-h", cluster.url.hostname or "127.0.0.1", "-p", str(cluster.url.port or 5432)]
        + ["-U", cluster.url.username or "postgres", dbname],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@dataclass
class PgMark:
    """What the cluster held before the server ran: its WAL and its logs."""

    wal: dict[Path, tuple[int, int]]
    logs: dict[Path, tuple[int, int]]


def pg_mark(cluster: Cluster) -> PgMark:
    wal = cluster.data_directory / "pg_wal" if cluster.data_directory else None
    return PgMark(file_listing(wal, skip=wal / "x") if wal else {}, pg_logs_listing(cluster))


@dataclass
class Seized:
    places: dict[str, bytes]
    controls: dict[str, bytes]  # where a plaintext field must be found
    sessions: dict[str, bytes]
    dump: bytes


def seize_postgres(
    tmp_path: Path,
    server: Server,
    temp_before: dict,
    running: dict[str, bytes],
    cluster: Cluster,
    dbname: str,
    mark: PgMark,
) -> Seized:
    """Everything a stopped server on PostgreSQL leaves: a dump of its database,
    its files and logs, the cluster's data files and WAL, and every session."""
    dump = pg_dump(cluster, dbname)
    places = seize_files(tmp_path, server, temp_before) | running | {"pg_dump": dump}
    with cluster.connect(dbname) as connection:
        rows = connection.execute("SELECT session_data FROM django_session").fetchall()
    places |= decoded_sessions(rows)
    places |= read_changed(mark.logs, pg_logs_listing(cluster))
    controls = {"pg_dump": dump}
    if cluster.data_directory is not None:
        files = pg_files(cluster, dbname, mark.wal)
        places |= files
        controls["pg data files"] = b"".join(c for n, c in files.items() if "base/" in n)
        controls["pg wal"] = b"".join(c for n, c in files.items() if " wal " in n)
    sessions = stale_sessions(places)
    assert any(b"_auth_user_id" in value for value in sessions.values()), list(sessions)
    places |= sessions
    return Seized(places, controls, sessions, dump)
