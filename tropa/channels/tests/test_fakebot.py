"""The fake Bot API, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)

from tropa.testing.fakebot import FakeBotApi


@pytest.fixture
def fake():
    with FakeBotApi() as api:
        yield api


def run(fake: FakeBotApi, scenario: Callable[[telegram.Bot], Awaitable[Any]], token=None) -> Any:
    """Run ``scenario(bot)`` with an initialised real Bot pointed at the fake."""

    async def main() -> Any:
        bot = telegram.Bot(
            token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
        )
        async with bot:
            return await scenario(bot)

    # On a thread of its own: the browser tests leave an event loop running on
    # the main thread, where asyncio.run() refuses to start another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


def test_get_me_gives_the_bot(fake):
    async def scenario(bot):
        me = await bot.get_me()
        return bot.username, me

    username, me = run(fake, scenario)
    assert username == "tropa_test_bot" == fake.username
    assert me.id == fake.bot_id == int(fake.token.split(":")[0])
    assert me.is_bot
    assert [c.method for c in fake.calls] == ["getMe", "getMe"]  # initialize() asks too


def test_updates_stay_until_an_offset_acknowledges_them(fake):
    olena = fake.person(username="olena", first_name="Olena", last_name="K")
    update_id = olena.says("/start abc")

    async def scenario(bot):
        first = await bot.get_updates(timeout=0)
        again = await bot.get_updates(timeout=0)
        after_ack = await bot.get_updates(offset=update_id + 1, timeout=0)
        without_offset = await bot.get_updates(timeout=0)
        return first, again, after_ack, without_offset

    first, again, after_ack, without_offset = run(fake, scenario)
    (update,) = first
    assert update.update_id == update_id
    assert update.message.text == "/start abc"
    assert update.message.from_user.username == "olena"
    assert update.message.from_user.is_bot is False
    assert update.message.from_user.language_code == "en"
    assert update.message.chat.id == olena.chat_id
    assert update.message.chat.type == "private"
    assert update.message.chat.first_name == "Olena"
    (entity,) = update.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, len("/start"))
    assert [u.update_id for u in again] == [update_id]  # not acknowledged yet
    assert after_ack == ()
    assert without_offset == ()  # dropped for good
    assert fake.offsets == [update_id + 1]
    assert fake.is_acknowledged(update_id)


def test_updates_come_in_order_up_to_the_limit(fake):
    a, b = fake.person(), fake.person()
    ids = [a.says("one"), b.says("two"), a.sends_location(50.45, 30.52)]
    assert a.chat_id != b.chat_id
    assert 100_000_000 <= a.chat_id < 10_000_000_000

    async def scenario(bot):
        return await bot.get_updates(limit=2, timeout=0)

    updates = run(fake, scenario)
    assert [u.update_id for u in updates] == ids[:2]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert fake.pending_updates == 3


def test_send_message_is_recorded_with_chat_and_buttons(fake):
    olena, taras = fake.person(), fake.person()

    async def scenario(bot):
        first = await bot.send_message(
            olena.chat_id, "Choose", reply_markup=keyboard(("Yes", "yes"), ("No", "no"))
        )
        await bot.send_message(taras.chat_id, "Hello Taras")
        second = await bot.send_message(olena.chat_id, "<b>Thanks</b>", parse_mode="HTML")
        return first, second

    first, second = run(fake, scenario)
    assert first.chat.id == olena.chat_id
    assert first.from_user.id == fake.bot_id
    assert first.text == "Choose"
    assert second.message_id == first.message_id + 1
    assert second.text == "Thanks"  # Telegram strips the markup it parsed
    sent = fake.sent(olena.chat_id)
    assert [m["text"] for m in sent] == ["Choose", "<b>Thanks</b>"]
    assert sent[0]["chat_id"] == olena.chat_id
    assert fake.buttons(sent[0]) == [("Yes", "yes"), ("No", "no")]
    assert sent[1]["reply_markup"] is None
    assert sent[1]["parse_mode"] == "HTML"
    assert fake.sent_texts(taras.chat_id) == ["Hello Taras"]
    assert len(fake.sent()) == 3


def test_a_button_press_round_trips(fake):
    olena = fake.person()

    async def scenario(bot):
        menu = await bot.send_message(
            olena.chat_id, "Menu", reply_markup=keyboard(("Help", "help"), ("Stop", "stop"))
        )
        fake.wait_for(lambda: len(fake.sent()) == 1, timeout=1)
        update_id = olena.presses("help")
        (update,) = await bot.get_updates(timeout=0)
        answered = await bot.answer_callback_query(update.callback_query.id)
        with pytest.raises(BadRequest, match="(?i)query ID is invalid"):
            await bot.answer_callback_query("12345")
        return menu, update_id, update, answered

    menu, update_id, update, answered = run(fake, scenario)
    query = update.callback_query
    assert update.update_id == update_id
    assert query.data == "help"
    assert query.from_user.id == olena.chat_id
    assert query.message.message_id == menu.message_id
    assert query.message.chat.id == olena.chat_id
    assert [b.callback_data for row in query.message.reply_markup.inline_keyboard for b in row] == [
        "help",
        "stop",
    ]
    assert answered is True


def test_files_sent_by_a_person_download_byte_for_byte(fake):
    olena = fake.person()
    pdf = b"%PDF-1.4\r\n" + bytes(range(256)) * 40
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 10
    olena.sends_document(pdf, "passport.pdf", "application/pdf", caption="my passport")
    olena.sends_photo(photo)
    olena.sends_voice(b"OggS voice")

    async def scenario(bot):
        doc_update, photo_update, voice_update = await bot.get_updates(timeout=0)
        document = doc_update.message.document
        doc_file = await bot.get_file(document.file_id)
        sizes = photo_update.message.photo
        largest = await (await bot.get_file(sizes[-1].file_id)).download_as_bytearray()
        voice = await (await bot.get_file(voice_update.message.voice)).download_as_bytearray()
        with pytest.raises(BadRequest, match="(?i)invalid file_id"):
            await bot.get_file("no-such-file")
        return doc_update, doc_file, await doc_file.download_as_bytearray(), sizes, largest, voice

    doc_update, doc_file, doc_bytes, sizes, largest, voice = run(fake, scenario)
    document = doc_update.message.document
    assert (document.file_name, document.mime_type) == ("passport.pdf", "application/pdf")
    assert document.file_size == len(pdf)
    assert doc_update.message.caption == "my passport"
    assert doc_file.file_size == len(pdf)
    assert bytes(doc_bytes) == pdf
    assert [s.width for s in sizes] == sorted(s.width for s in sizes)
    assert [s.file_size for s in sizes] == sorted(s.file_size for s in sizes)
    assert sizes[-1].file_size == len(photo)
    assert bytes(largest) == photo
    assert bytes(voice) == b"OggS voice"


def test_send_document_records_the_upload(fake):
    olena = fake.person()
    content = b"line one\r\n--not a boundary\r\n\x00\xff"

    async def scenario(bot):
        return await bot.send_document(
            olena.chat_id, document=content, filename='case "7".txt', caption="Your file"
        )

    message = run(fake, scenario)
    (recorded,) = fake.sent_documents(olena.chat_id)
    assert recorded["content"] == content
    assert recorded["filename"] == 'case "7".txt'
    assert recorded["caption"] == "Your file"
    assert recorded["chat_id"] == olena.chat_id
    assert message.document.file_size == len(content)
    assert message.caption == "Your file"
    assert fake.calls_to("sendDocument")[0].params["document"].content == content


# PTB 22 warns that RetryAfter.retry_after will become a timedelta (set PTB_TIMEDELTA to opt in).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_injected_failures_raise_what_telegram_would_make_ptb_raise(fake):
    olena = fake.person()
    fake.fail_next("sendMessage", error_code=429, retry_after=3)
    fake.fail_next("sendMessage", error_code=403)
    fake.fail_next("sendMessage", error_code=400)
    fake.fail_next("sendMessage", drop=True)

    async def scenario(bot):
        errors = []
        for _ in range(4):
            with pytest.raises(telegram.error.TelegramError) as caught:
                await bot.send_message(olena.chat_id, "hello")
            errors.append(caught.value)
        return errors, await bot.send_message(olena.chat_id, "at last")

    (flood, blocked, bad, dropped), delivered = run(fake, scenario)
    assert isinstance(flood, RetryAfter)
    retry_after = flood.retry_after
    if isinstance(retry_after, dt.timedelta):
        retry_after = retry_after.total_seconds()
    assert retry_after == 3
    assert isinstance(blocked, Forbidden)
    assert "bot was blocked by the user" in blocked.message
    assert isinstance(bad, BadRequest)
    assert "chat not found" in bad.message.lower()
    assert isinstance(dropped, NetworkError)  # TimedOut is a NetworkError too
    assert dropped.message.startswith("httpx.")  # no HTTP answer at all, not a 502
    assert delivered.text == "at last"
    assert fake.sent_texts() == ["at last"]
    assert [c.ok for c in fake.calls_to("sendMessage")] == [False] * 4 + [True]


def test_failures_answer_with_the_bot_api_envelope(fake):
    fake.fail_next("getMe", error_code=429, retry_after=7)
    api = f"{fake.base_url}{fake.token}"
    with httpx.Client() as client:
        flood = client.post(f"{api}/getMe")
        ok = client.get(f"{api}/GETME")
        unknown = client.post(f"{api}/sendSticker", data={"chat_id": "1"})
        wrong_token = client.post(f"{fake.base_url}1:AAwrong/getMe")
        wrong_file_token = client.get(f"{fake.base_file_url}1:AAwrong/documents/file_1.pdf")
    assert flood.status_code == 429
    assert flood.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert ok.status_code == 200
    assert ok.json()["result"]["username"] == fake.username
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert wrong_token.status_code == wrong_file_token.status_code == 401
    assert wrong_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert [c.method for c in fake.calls] == ["getMe", "getMe", "sendSticker"]


def test_a_wrong_token_is_refused(fake):
    async def scenario(bot):
        raise AssertionError("initialize() should have failed")

    with pytest.raises(InvalidToken):
        run(fake, scenario, token="1234567:AAthisIsNotTheTokenOfTheFakeBotAtAll")


def test_the_fake_rejects_what_telegram_rejects(fake):
    olena = fake.person()

    async def scenario(bot):
        with pytest.raises(BadRequest, match="(?i)Unsupported start tag"):
            await bot.send_message(olena.chat_id, "<br>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(olena.chat_id, "x", reply_markup=keyboard(("x", "x" * 65)))
        with pytest.raises(BadRequest, match="(?i)too long"):
            await bot.send_message(olena.chat_id, "x" * 4097)

    run(fake, scenario)
    assert fake.sent() == []


def test_a_long_poll_returns_as_soon_as_an_update_arrives(fake):
    olena = fake.person()

    def poll():
        async def scenario(bot):
            return await bot.get_updates(timeout=30)

        return run(fake, scenario)

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(poll)
        try:
            assert fake.wait_for(lambda: fake.pending_polls > 0, timeout=5)
            update_id = olena.says("anyone there?")
            updates = future.result(timeout=5)  # 30 s if the push did not wake the poll
        finally:
            fake.stop()  # ends a poll left waiting, so a failure does not hang the pool
    assert [u.update_id for u in updates] == [update_id]
    assert fake.pending_polls == 0


def test_a_newer_poll_ends_the_waiting_one_with_a_conflict(fake):
    def poll():
        async def scenario(bot):
            return await bot.get_updates(timeout=30)

        return run(fake, scenario)

    async def newer(bot):
        return await bot.get_updates(timeout=0)

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(poll)
        try:
            assert fake.wait_for(lambda: fake.pending_polls > 0, timeout=5)
            assert run(fake, newer) == ()
            with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
                future.result(timeout=5)
        finally:
            fake.stop()


def test_redelivery_and_webhooks(fake):
    olena = fake.person()
    update_id = olena.says("hi")

    async def scenario(bot):
        (first,) = await bot.get_updates(timeout=0)
        assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
        fake.redeliver(update_id)
        (copy,) = await bot.get_updates(offset=update_id + 1, timeout=0)
        assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
        assert await bot.set_webhook("https://tropa.example/hook", secret_token="s3cret-token")
        info = await bot.get_webhook_info()
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates(timeout=0)
        with pytest.raises(BadRequest, match="(?i)HTTPS URL"):
            await bot.set_webhook("http://tropa.example/hook")
        recorded = (fake.webhook_url, fake.webhook_secret)
        assert await bot.delete_webhook()
        return first, copy, info, recorded, await bot.get_webhook_info()

    first, copy, info, recorded, after = run(fake, scenario)
    assert copy.to_dict() == first.to_dict()
    assert info.url == "https://tropa.example/hook"
    assert recorded == ("https://tropa.example/hook", "s3cret-token")
    assert after.url == "" and fake.webhook_url == ""
    assert fake.update(update_id)["message"]["text"] == "hi"


def test_wait_for_times_out_with_false(fake):
    assert fake.wait_for(lambda: False, timeout=0.01) is False
    assert fake.wait_for(lambda: fake.pending_polls == 0, timeout=0.01) is True
