"""Seizure, by Telegram: a stopped server keeps no chat id, no name and no text.

The Telegram twin of tropa/intake/tests/test_seizure.py, with its machinery.
A real `tropa init` and `tropa serve` run in their own processes, on their
own data directory (and, on PostgreSQL, their own fresh database), with a bot
token: `tropa serve` starts `tropa telegram` beside the web server, and the
bot talks to a fake Bot API on loopback (tropa/channels/tests/fakebot.py).

Two people, whose usernames, first and last names are markers, write to the
bot from random chat ids: one answers the questionnaire (with markers in the
free text answers), one writes in their own words (with words before
choosing anything, which the bot keeps in a sealed draft); both write again,
and one sends a PDF whose content, file name and caption are markers. Staff
work by HTTP only: a coordinator restores the intake key with `tropa recover`,
accepts the questionnaire's request and replies with a marker; the reply is
seen arriving in the person's chat, and its outbox payload is emptied.

Then the data directory is imaged running, the server (and the bot with it)
is stopped, and every byte it could have left behind is read, in every
encoding the web test looks for: no chat id (as text, or as a 5- or 8-byte
integer either way round), no username or name, no text, no file and not the
bot's token may be found. The case's plaintext situation and the keyed
hashes that find the chats are found the same way, so the search is known to
work.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tropa import vault
from tropa.testing.cli import tropa, tropa_env
from tropa.testing.fakebot import FakeBotApi, Person
from tropa.testing.seizure import (
    H1,
    Casework,
    Markers,
    Needles,
    alias_in_old_sessions,
    assert_alias_only_in_case_rows,
    assert_alias_only_in_its_column,
    assert_nothing_found,
    created_staff,
    first_sign_in,
    image_running,
    init_and_serve,
    is_alias,
    markers_in,
    needles_for,
    pg_mark,
    pg_tables,
    seize_files,
    seize_postgres,
    sqlite_sessions,
    sqlite_tables,
    stale_sessions,
    stop,
)

# Generous: other tests may share the machine's two cores.
TIMEOUT = 30.0
QUESTIONNAIRE = Path(__file__).resolve().parents[2] / "cases" / "questionnaire.json"
INBOX_ROW = re.compile(r'<a href="/staff/cases/([0-9a-f-]{36})/">([^<]*)</a>')


# The bot in the server's environment


def bot_env(fake: FakeBotApi, **extra: str) -> dict[str, str]:
    """An admin's shell with the bot's token, pointed at the fake Bot API."""
    return tropa_env(
        TROPA_TELEGRAM_TOKEN=fake.token,
        TROPA_TELEGRAM_API_URL=fake.base_url.removesuffix("/bot"),
        # A short long poll: updates are noticed at once, and the bot stops promptly.
        TROPA_TELEGRAM_POLL_SECONDS="1",
        **extra,
    )


def random_chat_id() -> int:
    """Ten digits, and five significant bytes: 2**32 <= id < 10**10."""
    return 2**32 + secrets.randbelow(10**10 - 2**32)


# People in Telegram, waited for through the fake (never slept for)


@dataclass
class Someone:
    person: Person
    label: str


def telegram_questions() -> list[dict[str, Any]]:
    """The questions the bot asks, in order: those not kept for the web."""
    questions = json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))["questions"]
    return [q for q in questions if "telegram" in q.get("channels", ["web", "telegram"])]


def offers(data: str) -> Callable[[list[dict[str, Any]]], bool]:
    """A new message of the bot's has a button carrying `data`."""
    return lambda new: any(d == data for m in new for _label, d in FakeBotApi.buttons(m))


def says_plainly(new: list[dict[str, Any]]) -> bool:
    """A new message of the bot's without buttons (a prompt, or "received")."""
    return any(not FakeBotApi.buttons(m) for m in new)


def exchange(
    fake: FakeBotApi,
    someone: Someone,
    act: Callable[[Person], int],
    until: Callable[[list[dict[str, Any]]], bool],
    what: str,
) -> list[dict[str, Any]]:
    """The person writes or presses; wait until the bot's answer satisfies `until`."""
    before = len(someone.person.sent())
    act(someone.person)
    if not fake.wait_for(lambda: until(someone.person.sent()[before:]), TIMEOUT):
        answered = someone.person.sent_texts()[before:]
        pytest.fail(f"{someone.label}: no answer to {what} within {TIMEOUT} s: {answered}")
    return someone.person.sent()[before:]


def stored(fake: FakeBotApi, someone: Someone, update_id: int, what: str) -> None:
    """Wait until the bot has stored an update: it asked for the next offset."""
    if not fake.wait_for(lambda: fake.is_acknowledged(update_id), TIMEOUT):
        pytest.fail(f"{someone.label}: {what} not taken within {TIMEOUT} s")


PDF_TAIL = b"\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def run_telegram_scenario(fake: FakeBotApi, markers: Markers) -> tuple[Someone, Someone]:
    """Two people write to the bot, with markers everywhere; returns them."""
    # In Russian, by the questionnaire
    asker = Someone(
        fake.person(
            chat_id=random_chat_id(),
            username=markers.ascii("tg questionnaire username"),
            first_name=markers.cyrillic("tg questionnaire first name"),
            last_name=markers.ascii("tg questionnaire last name"),
            language_code="ru",
        ),
        "the questionnaire person",
    )
    exchange(fake, asker, lambda p: p.says("/start"), offers("lang:ru"), "/start")
    exchange(fake, asker, lambda p: p.presses("lang:ru"), offers("mode:q"), "the language")
    questions = telegram_questions()
    situation = questions[0]
    assert situation["id"] == "situation", situation
    at_front = [o["value"] for o in situation["options"]].index("at_front")
    press = f"a:situation:{at_front}"
    exchange(fake, asker, lambda p: p.presses("mode:q"), offers(press), "the mode")
    written = {
        "languages": f"русский, {markers.cyrillic('tg questionnaire languages ru')} "
        f"{markers.ascii('tg questionnaire languages')}",
        "name": f"Иван {markers.cyrillic('tg questionnaire name ru')} "
        f"{markers.ascii('tg questionnaire name')}",
        "story": f"Меня зовут {markers.cyrillic('tg questionnaire story ru')}, я в части. "
        f"Код {markers.ascii('tg questionnaire story')}. Помогите уйти.",
    }
    answers: list[tuple[str, Callable[[Person], int]]] = [("situation", lambda p: p.presses(press))]
    for question in questions[1:]:
        qid = question["id"]
        assert not question.get("required"), question  # else it cannot be skipped
        if qid in written:
            answers.append((qid, lambda p, text=written[qid]: p.says(text)))
        else:
            answers.append((qid, lambda p, qid=qid: p.presses(f"skip:{qid}")))
    assert set(written) <= {qid for qid, _act in answers}, "the bot no longer asks these"
    for (qid, act), following in zip(answers, [*questions[1:], None], strict=True):
        until = offers(f"skip:{following['id']}") if following else says_plainly
        exchange(fake, asker, act, until, f"the answer to {qid}")

    # In English, in their own words, after writing before anything was asked
    writer = Someone(
        fake.person(
            chat_id=random_chat_id(),
            username=markers.ascii("tg free username"),
            first_name=markers.ascii("tg free first name"),
            last_name=markers.cyrillic("tg free last name"),
            language_code="en",
        ),
        "the free text person",
    )
    before = (
        f"Hello, I am {markers.ascii('tg free before')} {markers.cyrillic('tg free before ru')}"
    )
    exchange(fake, writer, lambda p: p.says(before), offers("lang:en"), "the first words")
    exchange(fake, writer, lambda p: p.presses("lang:en"), offers("mode:free"), "the language")
    exchange(fake, writer, lambda p: p.presses("mode:free"), says_plainly, "the mode")
    story = (
        f"My name is {markers.ascii('tg free story')}, I got a summons in "
        f"{markers.cyrillic('tg free story ru')} and must report on Monday."
    )
    exchange(fake, writer, lambda p: p.says(story), says_plainly, "the story")

    # Both write again; the questionnaire person sends a PDF, with a caption
    text = f"Добрый день, {markers.cyrillic('tg questionnaire message ru')} " + markers.ascii(
        "tg questionnaire message"
    )
    stored(fake, asker, asker.person.says(text), "a message")
    stored(
        fake,
        writer,
        writer.person.says(f"Hello again, {markers.ascii('tg free message')}"),
        "a message",
    )
    content = (
        b"%PDF-1.4\n% "
        + f"Повестка {markers.cyrillic('tg questionnaire file ru')} ".encode()
        + markers.ascii("tg questionnaire file").encode()
        + PDF_TAIL
    )
    name = f"повестка-{markers.ascii('tg questionnaire file name')}.pdf"
    caption = f"Вот она {markers.cyrillic('tg questionnaire caption ru')} " + markers.ascii(
        "tg questionnaire caption"
    )
    update_id = asker.person.sends_document(content, name, "application/pdf", caption=caption)
    stored(fake, asker, update_id, "a document")
    refused = [t for t in asker.person.sent_texts() if name in t]
    assert not refused, refused  # the bot names a file it does not keep
    return asker, writer


# Staff at work on a Telegram request, by HTTP only


def run_telegram_casework(
    base: str,
    data: Path,
    env: dict[str, str],
    words: list[str],
    markers: Markers,
    fake: FakeBotApi,
    asker: Someone,
) -> Casework:
    """A coordinator reads both requests, accepts the questionnaire's one and
    replies with a marker; the reply reaches the person's chat."""
    password = created_staff(data, env, "olga", "coordinator")
    olga = first_sign_in(base, "olga", password)  # her keys are made now
    done = tropa("recover", "olga", data=data, env=env, stdin=" ".join(words) + "\n")
    assert done.returncode == 0, done.stderr

    inbox = olga.get("/staff/inbox/")
    assert inbox.status == 200, inbox.body[:3000]
    rows = INBOX_ROW.findall(inbox.body)
    assert len(rows) == 2, rows
    case_id = next(pk for pk, label in rows if label == "In a unit or at the front")
    other_id = next(pk for pk, _label in rows if pk != case_id)

    # Everything each wrote reached its case, sealed: staff read it
    page = olga.get(f"/staff/cases/{other_id}/")
    assert page.status == 200, page.body[:3000]
    for where in ("tg free before", "tg free story", "tg free message"):
        assert markers_in(page.body, markers, where), where
    case_url = f"/staff/cases/{case_id}/"
    page = olga.get(case_url)
    assert page.status == 200, page.body[:3000]
    for where in ("tg questionnaire story", "tg questionnaire languages"):
        assert markers_in(page.body, markers, where), where

    # Accepted, the case shows the conversation, the file and its name
    page = olga.post(case_url + "accept/", [])
    assert page.status == 200 and page.url.endswith(case_url), page.body[:3000]
    alias = html.unescape(H1.search(page.body)[1])
    assert is_alias(alias), alias
    assert "Accepted as a case." in page.body
    for where in ("tg questionnaire message", "tg questionnaire caption"):
        assert markers_in(page.body, markers, where), where
    assert markers_in(html.unescape(page.body), markers, "tg questionnaire file name")

    # The reply goes out through the outbox, to the person's chat
    reply = f"Здравствуйте, {markers.cyrillic('tg reply ru')} {markers.ascii('tg reply')}"
    page = olga.post_multipart(case_url + "reply/", [("text", reply), ("action", "send")], [])
    assert "Reply sent." in page.body, page.body[:3000]
    if not fake.wait_for(lambda: reply in asker.person.sent_texts(), TIMEOUT):
        pytest.fail(f"the reply did not reach the chat within {TIMEOUT} s")
    return Casework(case_id, alias)


# What must not be found, and what must


def telegram_needles(markers: Markers, people: tuple[Someone, ...], fake: FakeBotApi) -> Needles:
    """The markers (usernames and names are markers too), the chat ids, the token."""
    needles = needles_for(markers, {})
    for someone in people:
        chat_id = someone.person.chat_id
        where = f"the chat id of {someone.label}"
        needles.add(str(chat_id), where)
        for size in (5, 8):  # the id's own bytes, and a 64-bit integer column
            for order in ("little", "big"):
                name = f"{where}, as {size} bytes {order}-endian"
                needles.exact.setdefault(chat_id.to_bytes(size, order), name)
    needles.add(fake.token, "the bot's token")
    needles.add(fake.token.partition(":")[2], "the secret part of the bot's token")
    return needles


def chat_lookups(data: Path, people: tuple[Someone, ...]) -> list[bytes]:
    """The keyed hashes that find the chats (tropa/channels/conversation.py)."""
    secret = (data / "secrets" / "pepper").read_text(encoding="utf-8").strip()
    pepper = hashlib.sha256(secret.encode()).digest()
    return [
        vault.keyed_hash(pepper, b"telegram-chat", str(s.person.chat_id).encode()) for s in people
    ]


def assert_outbox_emptied(tables: dict[str, tuple[list[str], list[tuple]]]) -> None:
    """The reply was delivered, and no delivered message keeps its payload."""
    columns, rows = tables["channels_outgoing"]
    outgoing = [dict(zip(columns, row, strict=True)) for row in rows]
    replies = [row for row in outgoing if row["message_id"] is not None]
    assert len(replies) == 1, replies
    assert replies[0]["delivered_at"] is not None, replies[0]
    for row in outgoing:
        if row["delivered_at"] is not None:
            assert bytes(row["sealed_payload"]) == b"", row
    columns, rows = tables["channels_chat"]
    chats = [dict(zip(columns, row, strict=True)) for row in rows]
    assert len(chats) == 2 and all(c["case_id"] is not None for c in chats), chats
    assert all(c["sealed_draft"] is None for c in chats), chats  # gone with the request


@contextlib.contextmanager
def telegram_server(
    tmp_path: Path, fake: FakeBotApi, env: dict[str, str]
) -> Iterator[tuple[Path, Any, list[str]]]:
    """`tropa init` and `tropa serve` with the bot; stopped (the bot with it) on leaving."""
    data, server, words = init_and_serve(tmp_path, env)
    failed = True
    try:
        if not fake.wait_for(lambda: fake.pending_polls > 0, TIMEOUT):
            pytest.fail(f"the bot did not poll within {TIMEOUT} s:\n{server.output()}")
        yield data, server, words
        failed = False
    finally:
        stop(server)
        if failed:  # the bot's errors, shown with the failure (pytest prints captured output)
            print(f"tropa serve printed:\n{server.output()[-8000:]}")


# The tests


@pytest.mark.skipif(bool(os.environ.get("TROPA_DATABASE_URL")), reason="the SQLite scenario")
def test_it_leaves_no_telegram_identity_or_text_on_a_seized_sqlite_server(tmp_path, temp_before):
    # Given a server of its own on SQLite, with its bot talking to a fake Telegram
    markers = Markers()
    with FakeBotApi() as fake:
        env = bot_env(fake)
        with telegram_server(tmp_path, fake, env) as (data, server, words):
            # When two people write to the bot, a coordinator replies to one,
            # and the server is imaged running, then stopped
            people = run_telegram_scenario(fake, markers)
            casework = run_telegram_casework(server.url, data, env, words, markers, fake, people[0])
            running = image_running(data)
    assert "running data/tropa.sqlite3-wal" in running, list(running)

    # Then no chat id, name, username, text, file or token is anywhere it left
    places = seize_files(tmp_path, server, temp_before) | running
    places |= sqlite_sessions(data)
    database = b"".join(c for n, c in places.items() if "tropa.sqlite3" in n)
    assert database, list(places)
    sessions = stale_sessions(places)
    assert any(b"_auth_user_id" in value for value in sessions.values()), list(sessions)
    places |= sessions
    assert_nothing_found(telegram_needles(markers, people, fake), places, markers)

    # And the search works: the situation, and the hashes that find the chats,
    # are in the database; the bot's own log lines are in the output
    assert b"at_front" in database
    for lookup in chat_lookups(data, people):
        assert lookup in database
    assert b"telegram bot @tropa_test_bot running" in places["server output"]
    # And the reply left the outbox, and the case alias is in its own column only
    tables = sqlite_tables(data)
    assert_outbox_emptied(tables)
    assert_alias_only_in_its_column(tables, casework)
    alias_in_old_sessions(sessions, casework)


@pytest.mark.skipif(not os.environ.get("TROPA_DATABASE_URL"), reason="needs TROPA_DATABASE_URL")
def test_it_leaves_no_telegram_identity_or_text_on_a_seized_postgresql_server(
    tmp_path, temp_before, cluster, fresh_database
):
    # Given a server of its own on a fresh PostgreSQL database, with its bot
    markers = Markers()
    mark = pg_mark(cluster)
    with FakeBotApi() as fake:
        env = bot_env(fake, TROPA_DATABASE_URL=cluster.database_url(fresh_database))
        with telegram_server(tmp_path, fake, env) as (data, server, words):
            # When two people write to the bot, a coordinator replies to one,
            # and the server is imaged running, then stopped
            people = run_telegram_scenario(fake, markers)
            casework = run_telegram_casework(server.url, data, env, words, markers, fake, people[0])
            running = image_running(data)

    # Then neither a dump of its database, nor its files, nor its logs give them away
    seized = seize_postgres(tmp_path, server, temp_before, running, cluster, fresh_database, mark)
    with cluster.connect(fresh_database) as connection:
        tables = pg_tables(connection)
    assert_nothing_found(telegram_needles(markers, people, fake), seized.places, markers)

    # And the search works: the plaintext situation is found in each kind of
    # place, the hashes that find the chats in the files; the bot's log lines
    for place, content in seized.controls.items():
        assert b"at_front" in content, f"the control value is missing from {place}"
    lookups = chat_lookups(data, people)
    for lookup in lookups:
        assert lookup.hex().encode() in seized.dump  # bytea, as text
        if cluster.data_directory is not None:
            assert lookup in seized.controls["pg data files"]
    assert b"telegram bot @tropa_test_bot running" in seized.places["server output"]
    # And the reply left the outbox, and the case alias is in its own column only
    assert_outbox_emptied(tables)
    assert_alias_only_in_its_column(tables, casework)
    assert_alias_only_in_case_rows(seized.dump, casework)
    alias_in_old_sessions(seized.sessions, casework)
    if cluster.data_directory is None:
        pytest.skip(f"pg_dump searched; the cluster's files are not readable by {os.getuid()}")
