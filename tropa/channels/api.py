"""The Telegram Bot API, through python-telegram-bot, as plain blocking calls.

python-telegram-bot's `Bot` is asynchronous; Tropa's work on an update is
Django ORM work, which is synchronous. So the `Bot` lives on an event loop in
a thread of its own, and every call here waits for its result. The rest of
the channel is ordinary synchronous code, tested like the rest of Tropa.

PTB's `Application`/`Updater` are not used: the Updater acknowledges an update
to Telegram (by asking for the next offset) before its handlers have run, so a
crash could lose a message. Here an update is acknowledged only after it is
stored (tropa/channels/runner.py).

Incoming updates are turned into `Incoming` at once: only what Tropa needs.
Usernames, names and photos are dropped here and go no further.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings

# PTB 22 warns that durations (retry_after) will become timedeltas; opt in now.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

T = TypeVar("T")
log = logging.getLogger("tropa.telegram")
# The longest message Telegram takes; longer replies are sent in parts.
MAX_TEXT = 4096


class Failed(Exception):
    """Telegram did not take a call. `code` is ours, never Telegram's text (which
    could hold an id); `permanent` says whether trying again can help."""

    def __init__(self, code: str, *, permanent: bool = False, retry_after: float = 0) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class FileRef:
    file_id: str
    name: str
    size: int | None


@dataclass(frozen=True)
class Incoming:
    """One update, reduced to what Tropa uses. Nothing here is stored as is."""

    update_id: int
    chat_id: int | None = None
    private: bool = True
    message_id: int | None = None
    text: str = ""
    files: tuple[FileRef, ...] = ()
    callback_id: str = ""
    callback_data: str = ""
    unsupported: bool = False  # a sticker, a poll...: something we cannot keep

    @property
    def command(self) -> tuple[str, str]:
        """("/start", "rest") for a command, else ("", text)."""
        if not self.text.startswith("/"):
            return "", self.text
        head, _space, rest = self.text.partition(" ")
        return head.split("@", 1)[0].lower(), rest.strip()


def reduce(update: Update) -> Incoming:
    """Only the fields Tropa needs; the sender's name and username are dropped."""
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        chat = message.chat if message is not None else None
        return Incoming(
            update_id=update.update_id,
            chat_id=chat.id if chat is not None else query.from_user.id,
            private=chat is None or chat.type == "private",
            callback_id=query.id,
            callback_data=query.data or "",
        )
    message = update.message
    if message is None:
        return Incoming(update_id=update.update_id, unsupported=True)
    files: list[FileRef] = []
    if message.photo:
        largest = message.photo[-1]
        files.append(FileRef(largest.file_id, "photo.jpg", largest.file_size))
    for item, default in (
        (message.document, "file"),
        (message.voice, "voice.ogg"),
        (message.audio, "audio"),
        (message.video, "video.mp4"),
        (message.video_note, "video.mp4"),
    ):
        if item is not None:
            name = getattr(item, "file_name", None) or default
            files.append(FileRef(item.file_id, name, item.file_size))
    text = message.text or message.caption or ""
    if message.location is not None:
        location = f"{message.location.latitude:.5f}, {message.location.longitude:.5f}"
        text = f"{text}\n📍 {location}".strip()
    return Incoming(
        update_id=update.update_id,
        chat_id=message.chat.id,
        private=message.chat.type == "private",
        message_id=message.message_id,
        text=text,
        files=tuple(files),
        unsupported=not (text or files),
    )


@dataclass
class Button:
    label: str
    data: str


@dataclass
class Reply:
    """What the bot says: text and, perhaps, rows of buttons."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)


def _markup(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
    )


def split_text(text: str) -> list[str]:
    """Telegram takes 4,096 characters a message: longer text goes in parts,
    cut at a line end where there is one."""
    parts = []
    while len(text) > MAX_TEXT:
        cut = text.rfind("\n", 0, MAX_TEXT)
        cut = cut if cut > MAX_TEXT // 2 else MAX_TEXT
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text or not parts else parts


class Api:
    """A python-telegram-bot `Bot` on its own event loop thread, called synchronously."""

    def __init__(self, token: str, base_url: str = "", poll_seconds: int = 25) -> None:
        base = base_url.rstrip("/") or "https://api.telegram.org"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="telegram-api", daemon=True
        )
        self._thread.start()
        self.poll_seconds = poll_seconds
        self.bot = Bot(
            token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=HTTPXRequest(connection_pool_size=8, read_timeout=20, connect_timeout=10),
            get_updates_request=HTTPXRequest(read_timeout=poll_seconds + 10, connect_timeout=10),
        )
        self.username = ""

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except RetryAfter as error:
            after = error.retry_after
            seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
            raise Failed("rate_limited", retry_after=seconds) from None
        except Forbidden:
            raise Failed("blocked", permanent=True) from None
        except InvalidToken:
            raise Failed("bad_token", permanent=True) from None
        except BadRequest as error:
            code = "not_found" if "not found" in error.message.lower() else "refused"
            raise Failed(code, permanent=True) from None
        except (TelegramError, TimeoutError, OSError):
            raise Failed("network") from None

    def start(self) -> str:
        """Check the token with Telegram; return the bot's username."""
        self._run(self.bot.initialize())
        self.username = self.bot.username or ""
        return self.username

    def close(self) -> None:
        if self._loop.is_closed():
            return
        with contextlib.suppress(Failed):
            self._run(self.bot.shutdown(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def get_updates(self, offset: int | None, timeout: int | None = None) -> list[Incoming]:
        wait = self.poll_seconds if timeout is None else timeout
        updates = self._run(
            self.bot.get_updates(
                offset=offset,
                timeout=wait,
                allowed_updates=["message", "callback_query"],
            ),
            timeout=wait + 30,
        )
        return [reduce(update) for update in updates]

    def send(self, chat_id: int, reply: Reply) -> None:
        parts = split_text(reply.text)
        for number, part in enumerate(parts, start=1):
            markup = _markup(reply.buttons) if number == len(parts) else None
            self._run(self.bot.send_message(chat_id, part, reply_markup=markup))

    def send_document(self, chat_id: int, data: bytes, name: str) -> None:
        document = InputFile(data, filename=name, attach=True)
        self._run(self.bot.send_document(chat_id, document), timeout=120)

    def delete_message(self, chat_id: int, message_id: int) -> None:
        self._run(self.bot.delete_message(chat_id, message_id))

    def answer_callback(self, callback_id: str, text: str = "") -> None:
        """Stop a pressed button's spinner (and show `text`). Best effort: the
        bot's real answer is in the outbox already."""
        with contextlib.suppress(Failed):
            self._run(self.bot.answer_callback_query(callback_id, text=text or None))

    def download(self, ref: FileRef) -> bytes:
        async def fetch() -> bytes:
            handle = await self.bot.get_file(ref.file_id)
            return bytes(await handle.download_as_bytearray())

        return self._run(fetch(), timeout=120)

    def set_webhook(self, url: str, secret: str) -> None:
        self._run(
            self.bot.set_webhook(
                url, secret_token=secret, allowed_updates=["message", "callback_query"]
            )
        )

    def delete_webhook(self) -> None:
        self._run(self.bot.delete_webhook())


_shared: Api | None = None
_shared_lock = threading.Lock()


def shared() -> Api:
    """This process's Api, made on first use (the web process for a webhook, the
    watcher for notifications)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Api(settings.TROPA_TELEGRAM_TOKEN, settings.TROPA_TELEGRAM_API_URL)
        return _shared


def reset_shared() -> None:
    """Forget this process's Api (tests point it at a new fake server)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
        _shared = None
