"""A loopback stand-in for api.telegram.org, for tests.

``FakeBotApi`` serves the Telegram Bot API over HTTP on 127.0.0.1 with the standard library
alone, so the real client talks to it exactly as it would to Telegram::

    with FakeBotApi() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
        olena = fake.person(username="olena")
        olena.says("/start")
        ...  # run the bot, then
        assert fake.sent_texts(olena.chat_id) == [...]

It speaks the wire format python-telegram-bot uses (form-encoded POSTs whose values are strings,
nested objects as JSON text; multipart/form-data for uploads) and answers with the Bot API's
``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": ..., "description": ...}``
envelopes and HTTP status codes. Updates are queued and acknowledged through ``offset`` as
Telegram does; failures (flood control, blocked users, dropped connections) can be injected.

Where the real API is strict the fake is strict too, so that tests catch what production would
reject: HTML ``parse_mode`` must use Telegram's tags, texts and captions respect their length
limits, ``callback_data`` is at most 64 bytes, webhooks need an https URL, getUpdates conflicts
with an active webhook or a newer getUpdates, answerCallbackQuery needs a query id that was sent.

Every piece of state sits behind one ``threading.Condition``; it is notified on every recorded
call, pushed update and change of ``pending_polls``, so tests wait with ``wait_for`` and never
sleep.
"""

from __future__ import annotations

import copy
import json
import random
import re
import secrets
import selectors
import socket
import string
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["Call", "FakeBotApi", "Person", "Upload"]

# Identifiers only have to look plausible and differ, but hypothesis reseeds the global `random`,
# so draw from the operating system instead.
_rng = random.SystemRandom()

_METHODS = (
    "getMe",
    "getUpdates",
    "sendMessage",
    "sendDocument",
    "deleteMessage",
    "answerCallbackQuery",
    "getFile",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
)
_CANONICAL = {name.lower(): name for name in _METHODS}

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_MAX_TEXT = 4096  # UTF-16 code units, after entity parsing
_MAX_CAPTION = 1024
_MAX_CALLBACK_DATA = 64  # bytes
_MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "u",
    }
)
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart/form-data call."""

    filename: str | None
    content: bytes
    content_type: str | None


@dataclass
class Call:
    """One Bot API call as received: ``params`` holds the values as sent (mostly strings,
    ``Upload`` for file parts); ``ok`` turns False when the call was answered with an error or
    dropped."""

    method: str
    params: dict[str, Any]
    ok: bool = True


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    drop: bool


@dataclass
class _Pending:
    update: dict[str, Any]
    redelivered: bool = False


@dataclass
class _File:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass
class _Described:
    """A successful result that the Bot API accompanies with a description."""

    result: Any
    description: str


@dataclass
class _ApiError(Exception):
    error_code: int
    description: str
    retry_after: int | None = None

    def reply(self) -> _Reply:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            payload["parameters"] = {"retry_after": self.retry_after}
        return _json_reply(self.error_code, payload)


def _json_reply(status: int, payload: dict[str, Any]) -> _Reply:
    return _Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _random_name(length: int) -> str:
    return "".join(_rng.choices(string.ascii_lowercase, k=length)).capitalize()


def _random_username() -> str:
    return "user_" + "".join(_rng.choices(string.ascii_lowercase + string.digits, k=8))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise _ApiError(400, f"Bad Request: {name} is empty")
    return value


def _opt_int(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError(400, f"Bad Request: invalid {name} specified") from None


def _opt_bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _opt_json(params: dict[str, Any], name: str, error: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise _ApiError(400, f"Bad Request: {error}") from None


def _chat_id(params: dict[str, Any]) -> int:
    value = _param(params, "chat_id")
    try:
        return int(value)
    except (TypeError, ValueError):
        # "@channelusername" addresses a public channel; the fake only knows numeric chats.
        raise _ApiError(400, "Bad Request: chat not found") from None


class _TelegramHtml(HTMLParser):
    """Telegram's HTML parse mode: a handful of tags, properly nested; yields the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise _ApiError(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise _ApiError(400, f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _formatted(text: str, parse_mode: Any) -> str:
    """The text as Telegram shows it, or the 400 Telegram answers for malformed markup."""
    if parse_mode is None or parse_mode == "":
        return text
    mode = str(parse_mode).lower()
    if mode == "html":
        parser = _TelegramHtml()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise _ApiError(
                400,
                "Bad Request: can't parse entities: Can't find end tag corresponding to start "
                f'tag "{parser.open[-1]}"',
            )
        return "".join(parser.text)
    if mode in ("markdown", "markdownv2"):
        return text  # not parsed by the fake
    raise _ApiError(400, "Bad Request: unsupported parse_mode")


def _inline_keyboard(params: dict[str, Any]) -> dict[str, Any] | None:
    markup = _opt_json(params, "reply_markup", "can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= _MAX_CALLBACK_DATA:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _unescape_form_param(value: str) -> str:
    # httpx writes names HTML5-style: '"' and control characters as %XX, '\' doubled.
    def control(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        return chr(code) if code < 0x20 or code == 0x22 else match.group(0)

    return re.sub(r"%([0-9A-Fa-f]{2})", control, value).replace("\\\\", "\\")


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise _ApiError(400, "Bad Request: bad multipart/form-data")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, Any] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = dict(
            (key.lower(), _unescape_form_param(value))
            for key, value in re.findall(
                r'(\w+)="((?:[^"\\]|\\.)*)"', headers.get("content-disposition", "")
            )
        )
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition:
            fields[name] = Upload(disposition["filename"], content, headers.get("content-type"))
        else:
            fields[name] = content.decode("utf-8")
    return fields


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeBotApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self._stopping = False
        self._wake_r, self._wake_w = socket.socketpair()

    def serve_until_stopped(self) -> None:
        """serve_forever() notices shutdown() only every poll_interval; this loop wakes at once."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in selector.select():
                    if key.fileobj is self and not self._stopping:
                        self._handle_request_noblock()

    def stop(self) -> None:
        self._stopping = True
        self._wake_w.send(b"\0")

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up first (a cancelled long poll): nothing to report
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        body = self._read_body()
        reply = self.server.fake._serve(self.path, self.headers.get("Content-Type", ""), body)
        if reply is None:  # an injected network failure: hang up without a word
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class Person:
    """Someone writing to the bot in a private chat (their user id is the chat id)."""

    def __init__(
        self,
        fake: FakeBotApi,
        chat_id: int,
        username: str | None,
        first_name: str,
        last_name: str | None,
        language_code: str,
    ) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.username = username
        self.first_name = first_name
        self.last_name = last_name
        self.language_code = language_code

    @property
    def id(self) -> int:
        return self.chat_id

    @property
    def user(self) -> dict[str, Any]:
        """The ``User`` object Telegram puts in ``from``."""
        user: dict[str, Any] = {"id": self.chat_id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        user["language_code"] = self.language_code
        return user

    @property
    def chat(self) -> dict[str, Any]:
        """The private ``Chat`` object Telegram puts in ``chat``."""
        chat: dict[str, Any] = {"id": self.chat_id, "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        chat["type"] = "private"
        return chat

    def says(self, text: str) -> int:
        """A text message; a leading /command gets its ``bot_command`` entity. Returns the
        update_id."""
        content: dict[str, Any] = {"text": text}
        command = _COMMAND.match(text)
        if command is not None:
            content["entities"] = [
                {"offset": 0, "length": _utf16_len(command.group(0)), "type": "bot_command"}
            ]
        return self.fake._person_message(self, content)

    def presses(self, callback_data: str, message_id: int | None = None) -> int:
        """A press on an inline button of the bot's message ``message_id`` (by default the last
        message the bot sent to this chat). Returns the update_id."""
        return self.fake._press(self, callback_data, message_id)

    def sends_document(
        self,
        content: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> int:
        stored = self.fake._store_file(content, "documents", file_name.rpartition(".")[2] or "bin")
        document = {"file_name": file_name, "mime_type": mime_type, **stored}
        message: dict[str, Any] = {"document": document}
        if caption is not None:
            message["caption"] = caption
        return self.fake._person_message(self, message)

    def sends_photo(self, content: bytes, caption: str | None = None) -> int:
        """A photo in three sizes, smallest first; the last is ``content``, the smaller ones are
        stored prefixes of it (stand-ins for Telegram's thumbnails)."""
        sizes = []
        for step, side in ((1, 90), (2, 320), (3, 1280)):
            part = content[: max(1, len(content) * step // 3)] if step < 3 else content
            stored = self.fake._store_file(part, "photos", "jpg")
            sizes.append({**stored, "width": side, "height": side * 3 // 4})
        message: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            message["caption"] = caption
        return self.fake._person_message(self, message)

    def sends_voice(self, content: bytes, duration: int = 1) -> int:
        stored = self.fake._store_file(content, "voice", "oga")
        voice = {"duration": duration, "mime_type": "audio/ogg", **stored}
        return self.fake._person_message(self, {"voice": voice})

    def sends_location(self, latitude: float, longitude: float) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self.fake._person_message(self, {"location": location})

    def sent(self) -> list[dict[str, Any]]:
        """What the bot sent to this person with sendMessage."""
        return self.fake.sent(self.chat_id)

    def sent_texts(self) -> list[str]:
        return self.fake.sent_texts(self.chat_id)

    def __repr__(self) -> str:
        return f"Person(chat_id={self.chat_id}, username={self.username!r})"


class FakeBotApi:
    """The Bot API for one bot on a loopback port. See the module docstring."""

    def __init__(self, username: str = "tropa_test_bot", first_name: str = "Tropa Test") -> None:
        self.bot_id = _rng.randint(1_000_000_000, 8_999_999_999)
        self.token = f"{self.bot_id}:AA{secrets.token_urlsafe(32)[:33]}"
        self.username = username
        self.first_name = first_name

        self._cond = threading.Condition()  # an RLock: predicates may call the accessors
        self.calls: list[Call] = []
        self.offsets: list[int] = []
        self.pending_polls = 0
        self.allowed_updates: list[str] | None = None
        self.webhook_url = ""
        self.webhook_secret: str | None = None

        self._queue: list[_Pending] = []
        self._history: dict[int, dict[str, Any]] = {}
        self._next_update_id = _rng.randint(100_000_000, 800_000_000)
        self._poll_generation = 0
        self._failures: dict[str, list[_Failure]] = {}
        self._people: dict[int, Person] = {}
        self._last_message_id: dict[int, int] = {}
        self._deleted: dict[int, set[int]] = {}
        self._bot_messages: dict[int, list[dict[str, Any]]] = {}
        self._sent: list[dict[str, Any]] = []
        self._documents: list[dict[str, Any]] = []
        self._callback_ids: set[str] = set()
        self._chat_instances: dict[int, str] = {}
        self._files: dict[str, _File] = {}
        self._paths: dict[str, _File] = {}
        self._file_counter = 0
        self._closing = False

        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "senddocument": self._send_document,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        if self._server is not None:
            raise RuntimeError("FakeBotApi is already started")
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_until_stopped, name="fake-bot-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        with self._cond:
            self._closing = True  # long polls answer now
            self._cond.notify_all()
        server.stop()
        thread.join()
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotApi is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    # -- people and updates ------------------------------------------------------------------

    def person(
        self,
        chat_id: int | None = None,
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        language_code: str = "en",
    ) -> Person:
        """Someone in a private chat with the bot; unset fields are random. Asking again for
        a known ``chat_id`` gives the same person."""
        with self._cond:
            if chat_id is not None and chat_id in self._people:
                return self._people[chat_id]
            while chat_id is None or chat_id in self._people:
                chat_id = _rng.randint(100_000_000, 9_999_999_999)
            someone = Person(
                self,
                chat_id,
                username if username is not None else _random_username(),
                first_name if first_name is not None else _random_name(6),
                last_name if last_name is not None else _random_name(8),
                language_code,
            )
            self._people[chat_id] = someone
            return someone

    def push(self, update: dict[str, Any]) -> int:
        """Queue a raw update (an ``update_id`` is assigned if missing). Returns the update_id."""
        update = copy.deepcopy(update)
        with self._cond:
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            update_id = int(update["update_id"])
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._history[update_id] = copy.deepcopy(update)
            self._queue.append(_Pending(update))
            self._cond.notify_all()
            return update_id

    def redeliver(self, update_id: int) -> None:
        """Queue an identical copy of an earlier update, as Telegram does after a webhook
        failure. The copy reaches the next getUpdates even when its id is below the offset
        (afterwards the usual acknowledgement applies), so a duplicate is never silently lost."""
        with self._cond:
            if update_id not in self._history:
                raise KeyError(f"no update {update_id} was pushed")
            self._queue.append(_Pending(copy.deepcopy(self._history[update_id]), redelivered=True))
            self._cond.notify_all()

    def update(self, update_id: int) -> dict[str, Any]:
        """The JSON of a pushed update (for posting it to a webhook yourself)."""
        with self._cond:
            return copy.deepcopy(self._history[update_id])

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet acknowledged."""
        with self._cond:
            return len(self._queue)

    def is_acknowledged(self, update_id: int) -> bool:
        """Whether a pushed update has left the queue (an offset past it was asked for)."""
        with self._cond:
            if update_id not in self._history:
                raise KeyError(f"no update {update_id} was pushed")
            return all(p.update["update_id"] != update_id for p in self._queue)

    # -- failure injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        count: int = 1,
        error_code: int = 502,
        description: str | None = None,
        retry_after: int | None = None,
        drop: bool = False,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with an error instead of carrying them
        out. The description defaults by code (403: blocked by the user, 400: chat not found,
        429: retry after, 502: Bad Gateway); 429 always carries ``parameters.retry_after``
        (default 1). ``drop=True`` closes the connection without any response."""
        if count < 1:
            raise ValueError("count must be at least 1")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = _DEFAULT_DESCRIPTIONS.get(error_code, "Error").format(
                retry_after=retry_after
            )
        failure = _Failure(error_code, description, retry_after, drop)
        with self._cond:
            self._failures.setdefault(method.lower(), []).extend([failure] * count)

    # -- what the bot did --------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> bool:
        """Wait until ``predicate()`` is true (re-checked whenever the fake's state changes)."""
        with self._cond:
            return bool(self._cond.wait_for(predicate, timeout))

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Successful sendMessage calls in order: their params, with ``chat_id`` an int,
        ``reply_markup`` a dict or None, and the ``message_id`` the fake gave the message."""
        with self._cond:
            return [
                copy.deepcopy(m) for m in self._sent if chat_id is None or m["chat_id"] == chat_id
            ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [m["text"] for m in self.sent(chat_id)]

    def sent_documents(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Successful sendDocument calls: chat_id, content, filename, mime_type, caption,
        message_id."""
        with self._cond:
            return [
                copy.deepcopy(d)
                for d in self._documents
                if chat_id is None or d["chat_id"] == chat_id
            ]

    @staticmethod
    def buttons(sent_message: dict[str, Any]) -> list[tuple[str, str | None]]:
        """The inline keyboard of a sent message (a ``sent()`` entry or a Message dict) as
        (text, callback_data) pairs, row by row."""
        markup = sent_message.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (button.get("text"), button.get("callback_data"))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    # -- internals: building messages -------------------------------------------------------

    def _new_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._people:
            return self._people[chat_id].chat
        if chat_id > 0:
            return {"id": chat_id, "type": "private"}
        return {"id": chat_id, "type": "supergroup" if str(chat_id).startswith("-100") else "group"}

    def _person_message(self, someone: Person, content: dict[str, Any]) -> int:
        with self._cond:
            message = {
                "message_id": self._new_message_id(someone.chat_id),
                "from": someone.user,
                "chat": someone.chat,
                "date": int(time.time()),
                **content,
            }
            return self.push({"update_id": self._next_update_id, "message": message})

    def _press(self, someone: Person, data: str, message_id: int | None) -> int:
        with self._cond:
            messages = self._bot_messages.get(someone.chat_id, [])
            if message_id is not None:
                found = [m for m in messages if m["message_id"] == message_id]
                if not found:
                    raise LookupError(f"the bot has no message {message_id} in {someone!r}")
                message = found[-1]
            elif messages:
                message = messages[-1]
            else:
                message = {
                    "message_id": self._new_message_id(someone.chat_id),
                    "from": self.bot_user,
                    "chat": someone.chat,
                    "date": int(time.time()),
                    "text": "",
                }
            query_id = str(_rng.randint(10**18, 9 * 10**18))
            self._callback_ids.add(query_id)
            instance = self._chat_instances.setdefault(
                someone.chat_id, str(-_rng.randint(10**18, 9 * 10**18))
            )
            query = {
                "id": query_id,
                "from": someone.user,
                "message": copy.deepcopy(message),
                "chat_instance": instance,
                "data": data,
            }
            return self.push({"update_id": self._next_update_id, "callback_query": query})

    def _store_file(self, content: bytes, folder: str, extension: str) -> dict[str, Any]:
        with self._cond:
            self._file_counter += 1
            stored = _File(
                file_id=secrets.token_urlsafe(36),
                file_unique_id="AgAD" + secrets.token_urlsafe(9),
                file_path=f"{folder}/file_{self._file_counter}.{extension}",
                content=bytes(content),
            )
            self._files[stored.file_id] = stored
            self._paths[stored.file_path] = stored
            return {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
            }

    def _bot_message(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": self._new_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        self._bot_messages.setdefault(chat_id, []).append(message)
        return message

    # -- internals: HTTP ----------------------------------------------------------------------

    def _serve(self, path: str, content_type: str, body: bytes) -> _Reply | None:
        url = urlsplit(path)
        route = unquote(url.path)
        if route.startswith("/file/bot"):
            token, _, file_path = route.removeprefix("/file/bot").partition("/")
            if token != self.token:
                return _ApiError(401, "Unauthorized").reply()
            with self._cond:
                stored = self._paths.get(file_path)
            if stored is None:
                return _ApiError(404, "Not Found").reply()
            return _Reply(200, stored.content, "application/octet-stream")
        if not route.startswith("/bot"):
            return _ApiError(404, "Not Found").reply()
        token, _, method = route.removeprefix("/bot").partition("/")
        if token != self.token:
            return _ApiError(401, "Unauthorized").reply()
        try:
            params = self._params(url.query, content_type, body)
        except (_ApiError, UnicodeDecodeError, ValueError) as error:
            if isinstance(error, _ApiError):
                return error.reply()
            return _ApiError(400, "Bad Request: can't parse request").reply()
        return self._call(method, params)

    @staticmethod
    def _params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        kind = content_type.split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif kind == "application/json" and body.strip():
            data = json.loads(body)
            if isinstance(data, dict):
                params.update(data)
        elif kind == "multipart/form-data":
            params.update(_parse_multipart(body, content_type))
        for name, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                attached = params.get(value.removeprefix("attach://"))
                if isinstance(attached, Upload):
                    params[name] = attached
        return params

    def _call(self, method: str, params: dict[str, Any]) -> _Reply | None:
        key = method.lower()
        with self._cond:
            call = Call(_CANONICAL.get(key, method), params)
            self.calls.append(call)
            self._cond.notify_all()
            try:
                handler = self._handlers.get(key)
                if handler is None:
                    raise _ApiError(404, "Not Found")
                failures = self._failures.get(key)
                if failures:
                    failure = failures.pop(0)
                    if failure.drop:
                        call.ok = False
                        return None
                    raise _ApiError(failure.error_code, failure.description, failure.retry_after)
                result = handler(params)
            except _ApiError as error:
                call.ok = False
                return error.reply()
            finally:
                self._cond.notify_all()
            payload: dict[str, Any] = {"ok": True}
            if isinstance(result, _Described):
                payload.update(result=result.result, description=result.description)
            else:
                payload["result"] = result
            return _json_reply(200, payload)

    # -- internals: methods (called with the condition held) ---------------------------------

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _deliverable(self, limit: int) -> list[_Pending]:
        allowed = self.allowed_updates
        ready = []
        for pending in self._queue:
            kind = next((k for k in pending.update if k != "update_id"), None)
            if not allowed or kind in allowed:
                ready.append(pending)
        return ready[:limit]

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _opt_int(params, "offset")
        limit = min(max(_opt_int(params, "limit") or 100, 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except ValueError:
            raise _ApiError(400, "Bad Request: invalid timeout specified") from None
        allowed = _opt_json(params, "allowed_updates", "can't parse allowed updates")
        if allowed is not None:
            self.allowed_updates = list(allowed)
        if offset is not None:
            self.offsets.append(offset)
            if offset < 0:  # keep only the last -offset updates
                self._queue = self._queue[offset:]
            else:
                self._queue = [
                    p for p in self._queue if p.update["update_id"] >= offset or p.redelivered
                ]
        self._poll_generation += 1
        generation = self._poll_generation
        ready = self._deliverable(limit)
        if not ready and timeout > 0 and not self._closing:
            deadline = time.monotonic() + timeout
            self.pending_polls += 1
            self._cond.notify_all()
            try:
                while True:
                    if generation != self._poll_generation:
                        raise _ApiError(409, _DEFAULT_DESCRIPTIONS[409])
                    ready = self._deliverable(limit)
                    remaining = deadline - time.monotonic()
                    if ready or self._closing or remaining <= 0:
                        break
                    self._cond.wait(remaining)
            finally:
                self.pending_polls -= 1
                self._cond.notify_all()
        for pending in ready:
            pending.redelivered = False
        return [copy.deepcopy(p.update) for p in ready]

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        text = params.get("text")
        if text is None or text == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        shown = _formatted(str(text), params.get("parse_mode"))
        if not shown.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(shown) > _MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = _inline_keyboard(params)
        content: dict[str, Any] = {"text": shown}
        if markup is not None and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        message = self._bot_message(chat_id, content)
        self._sent.append(
            {
                **params,
                "chat_id": chat_id,
                "text": str(text),
                "reply_markup": markup,
                "message_id": message["message_id"],
            }
        )
        return copy.deepcopy(message)

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        document = _param(params, "document")
        if isinstance(document, Upload):
            filename = document.filename or "document"
            mime_type = document.content_type or "application/octet-stream"
            stored = self._store_file(
                document.content, "documents", filename.rpartition(".")[2] or "bin"
            )
            content = document.content
        else:
            known = self._files.get(str(document))
            if known is None:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            filename = known.file_path.rpartition("/")[2]
            mime_type = "application/octet-stream"
            stored = {
                "file_id": known.file_id,
                "file_unique_id": known.file_unique_id,
                "file_size": len(known.content),
            }
            content = known.content
        caption = params.get("caption") or None
        message_content: dict[str, Any] = {
            "document": {"file_name": filename, "mime_type": mime_type, **stored}
        }
        if caption is not None:
            shown = _formatted(str(caption), params.get("parse_mode"))
            if _utf16_len(shown) > _MAX_CAPTION:
                raise _ApiError(400, "Bad Request: message caption is too long")
            message_content["caption"] = shown
        markup = _inline_keyboard(params)
        if markup is not None and "inline_keyboard" in markup:
            message_content["reply_markup"] = markup
        message = self._bot_message(chat_id, message_content)
        self._documents.append(
            {
                "chat_id": chat_id,
                "content": content,
                "filename": filename,
                "mime_type": mime_type,
                "caption": caption,
                "message_id": message["message_id"],
            }
        )
        return copy.deepcopy(message)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = _chat_id(params)
        message_id = _opt_int(params, "message_id")
        if message_id is None:
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        deleted = self._deleted.setdefault(chat_id, set())
        if not 0 < message_id <= self._last_message_id.get(chat_id, 0) or message_id in deleted:
            raise _ApiError(400, "Bad Request: message to delete not found")
        deleted.add(message_id)
        messages = self._bot_messages.get(chat_id, [])
        messages[:] = [m for m in messages if m["message_id"] != message_id]
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(_param(params, "callback_query_id"))
        if query_id not in self._callback_ids:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        return True

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(_param(params, "file_id")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > _MAX_DOWNLOAD:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _set_webhook(self, params: dict[str, Any]) -> _Described:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        if not url.startswith("https://"):
            raise _ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token") or None
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = _opt_json(params, "allowed_updates", "can't parse allowed updates")
        if allowed is not None:
            self.allowed_updates = list(allowed)
        if _opt_bool(params, "drop_pending_updates"):
            self._queue.clear()
        already = self.webhook_url == url and self.webhook_secret == secret
        self.webhook_url, self.webhook_secret = url, secret
        return _Described(True, "Webhook is already set" if already else "Webhook was set")

    def _delete_webhook(self, params: dict[str, Any]) -> _Described:
        if _opt_bool(params, "drop_pending_updates"):
            self._queue.clear()
        had = bool(self.webhook_url)
        self.webhook_url, self.webhook_secret = "", None
        return _Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self.allowed_updates:
                info["allowed_updates"] = list(self.allowed_updates)
        return info
