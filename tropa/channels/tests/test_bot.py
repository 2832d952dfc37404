"""The Telegram bot, end to end against a fake Bot API on loopback.

Each test writes as a person in Telegram would (messages and button presses
go through the fake server and python-telegram-bot), lets the bot take its
updates and deliver its outbox, and reads what arrived in the chat and in
the database.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tropa import vault
from tropa.cases import actions as case_actions
from tropa.cases import events
from tropa.cases import triage as case_triage
from tropa.cases.models import Case, Channel, Kind, Message, RegionGroup, Situation, Status
from tropa.channels import conversation, delivery
from tropa.channels.events import ChannelEvent
from tropa.channels.models import BotState, Chat, Outgoing, SeenUpdate, Step
from tropa.channels.tests.conftest import restart, shift_to_utc
from tropa.core import clock, languages
from tropa.journeys import actions as journeys
from tropa.journeys.models import Alert, AlertKind, CheckIn
from tropa.testing.factories import checkins_said

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a summons\n" + b"0" * 200


def answer_everything(bot, person, language: str = "ru", *, started: bool = False) -> None:
    if not started:
        bot.says(person, "/start")
        bot.presses(person, f"lang:{language}")
        bot.presses(person, "mode:q")
    bot.presses(person, "a:situation:0")  # a summons
    bot.presses(person, "g:volga")
    region = next(data for _label, data in bot.last_buttons(person) if data.startswith("r:"))
    bot.presses(person, region)
    bot.says(person, (clock.now().date() + timedelta(days=5)).strftime("%d.%m.%Y"))
    bot.presses(person, "m:documents:0")
    bot.presses(person, "m:documents:2")
    bot.presses(person, "m:documents:done")
    for question in ("health", "russian", "languages", "deceived", "asking", "name"):
        bot.presses(person, f"skip:{question}")


def telegram_case() -> Case:
    return Case.objects.select_related("keyring").get(channel=Channel.TELEGRAM)


def intake_of(case: Case, coordinator) -> dict:
    keys = case_actions.open_case(case, coordinator.staff, coordinator.keys())
    return case_actions.read_intake(case, keys, coordinator.staff).answers


# Intake


RECEIVED = {
    "ru": "Спасибо. Ваша заявка получена и зашифрована.",
    "en": "Thank you. Your request is received and encrypted.",
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_full_intake_makes_a_sealed_request(bot, coordinator, in_hours, language):
    person = bot.fake.person(username="ivanov_real", first_name="Иван", last_name="Иванов")
    answers = bot.says(person, "/start")
    assert answers == ["Выберите язык. / Choose your language."]
    assert [data for _label, data in bot.last_buttons(person)] == [
        f"lang:{spoken.code}" for spoken in languages.REQUESTER
    ]

    answer_everything(bot, person, language)
    said = bot.says(person, "Мне пришла повестка, что делать?")

    assert said[0].startswith(RECEIVED[language])
    case = telegram_case()
    assert case.status == Status.NEW
    assert case.situation == Situation.SUMMONS
    assert case.region_group == RegionGroup.VOLGA
    assert case.flag_report_soon
    answers = intake_of(case, coordinator)
    assert answers["story"] == "Мне пришла повестка, что делать?"
    assert answers["documents"] == ["internal_passport", "military_id"]
    assert "contact_handle" not in answers  # a web-only question
    # The chat is found by a keyed hash, and its id opens only with the case key
    chat = Chat.objects.get()
    assert chat.case == case and chat.step == Step.CASE and chat.sealed_draft is None
    assert intake_of(case, coordinator) and chat.language == language
    assert chat.lookup == conversation.chat_lookup(person.id)
    keys = case_actions.open_case(case, coordinator.staff, coordinator.keys())
    assert vault.open_from_many(keys, bytes(chat.sealed_chat)) == str(person.id).encode()


def test_the_questions_are_the_web_questionnaire_in_english(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    welcome = bot.presses(person, "lang:en")
    assert "Telegram itself knows who you are" in welcome[0]
    asked = bot.presses(person, "mode:q")
    assert asked[0].startswith("Answer only what you want to.")
    assert asked[1] == "What is happening to you?"
    labels = [label for label, _data in bot.last_buttons(person)]
    assert labels[0] == "I received a summons" and "Skip" not in labels  # required


def test_a_bad_date_is_explained_in_the_persons_language_and_asked_again(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:ru")
    bot.presses(person, "mode:q")
    bot.presses(person, "a:situation:1")
    bot.presses(person, "skip:region")
    said = bot.says(person, "31.02.2026")
    assert said[0] == ("Такой даты нет. Напишите её так: день.месяц.год, например 25.12.2026.")
    assert said[1].startswith("Если нужно куда-то явиться")
    assert Chat.objects.get().question == "report_by"
    said = bot.says(person, "не знаю")
    assert said[1].startswith("Если нужно куда-то явиться")


def test_text_where_a_button_is_expected_asks_again(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:q")
    said = bot.says(person, "summons")
    assert said == ["Please choose one of the buttons.", "What is happening to you?"]
    # A press on a button of an earlier question changes nothing
    said = bot.presses(person, "a:health:0")
    assert said == ["What is happening to you?"]


def test_free_text_makes_a_request_with_what_they_wrote_first(bot, coordinator, in_hours):
    person = bot.fake.person()
    bot.says(person, "Hello, I need help, my son got a summons")  # before anything
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:free")
    said = bot.says(person, "He must report on Monday")
    assert said[0].startswith("Thank you. Your request is received")
    case = telegram_case()
    assert case.situation == Situation.OTHER
    story = intake_of(case, coordinator)["story"]
    assert story == "Hello, I need help, my son got a summons\n\nHe must report on Monday"


def test_someone_who_just_writes_instead_of_choosing_gets_a_request(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    said = bot.says(person, "I am at the front and want to leave")
    assert said[0].startswith("Thank you. Your request is received")
    assert Case.objects.filter(channel=Channel.TELEGRAM).count() == 1


def test_answers_so_far_are_sealed_to_the_channel_key_only(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:q")
    bot.presses(person, "a:situation:3")
    draft = bytes(Chat.objects.get().sealed_draft)
    assert b"at_front" not in draft
    opened = json.loads(vault.open_from_many(delivery.channel_keys(), draft))
    assert opened["answers"] == {"situation": "at_front"}


# Out of hours


def test_out_of_hours_the_bot_says_when_someone_will_answer(bot):
    person = bot.fake.person()
    with clock.moved(shift_to_utc(20, 30)):  # 23:30 in Moscow
        bot.says(person, "/start")
        bot.presses(person, "lang:en")
        bot.presses(person, "mode:free")
        said = bot.says(person, "Please help")
        assert said[1].startswith("Consultants answer from 10:00 to 22:00 (Europe/Moscow time)")
        assert "after" in said[1] and "10:00" in said[1]
        # Once, not after every message
        assert bot.says(person, "Are you there?") == []
    with clock.moved(shift_to_utc(20, 30) + timedelta(hours=7)):  # 06:30, still closed
        assert bot.says(person, "Hello?")[0].startswith("Consultants answer")


def test_in_hours_there_is_no_away_message(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:free")
    assert len(bot.says(person, "Please help")) == 1


def test_a_configured_away_message_is_used(bot, settings):
    settings.TROPA_TELEGRAM_AWAY_EN = "Closed. Back at {start} ({next})."
    person = bot.fake.person()
    with clock.moved(shift_to_utc(20, 30)):
        bot.says(person, "/start")
        bot.presses(person, "lang:en")
        bot.presses(person, "mode:free")
        said = bot.says(person, "Please help")
    assert said[1].startswith("Closed. Back at 10:00 (")


# The conversation goes on in the case


@pytest.fixture
def written(bot, in_hours):
    """Someone who made a request in English by free text."""
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:free")
    bot.says(person, "Please help")
    return person


def test_messages_and_files_arrive_sealed_on_the_case_timeline(bot, written, coordinator):
    bot.says(written, "The military police came to my flat")
    written.sends_document(PDF, "summons.pdf", "application/pdf", caption="This is it")
    case = telegram_case()
    keys = case_actions.open_case(case, coordinator.staff, coordinator.keys())
    entries = case_actions.read_timeline(case, keys)
    assert [e.body for e in entries] == ["The military police came to my flat"]
    bot.step()
    entries = case_actions.read_timeline(case, keys)
    assert entries[-1].body == "This is it"
    attachment = entries[-1].message.attachments.get()
    from tropa.cases.uploads import open_attachment

    meta, content = open_attachment(attachment, keys)
    assert content == PDF and meta["name"] == "summons.pdf"
    assert meta["type"] == "application/pdf"


def test_a_file_of_the_wrong_kind_is_refused_with_a_reason(bot, written):
    written.sends_document(b"\x00\x01binary", "tool.exe", "application/octet-stream")
    bot.step()
    assert written.sent_texts()[-1] == (
        "The file “tool.exe” was not kept: send photos, PDF, voice messages or plain text."
    )
    assert not Message.objects.filter(kind=Kind.FROM_REQUESTER).exists()


def test_a_file_too_big_is_not_even_fetched(bot, written, settings):
    settings.TROPA_MAX_FILE_MB = 1
    written.sends_document(b"%PDF-" + b"0" * (2 * 1024 * 1024), "big.pdf", "application/pdf")
    bot.step()
    assert written.sent_texts()[-1] == "The file “big.pdf” was not kept: it is larger than 1 MB."
    assert not bot.fake.calls_to("getFile")


def test_a_voice_message_is_kept(bot, written):
    written.sends_voice(b"OggS" + b"\x00" * 100)
    bot.step()
    assert Message.objects.get(kind=Kind.FROM_REQUESTER).attachments.count() == 1


def test_a_new_message_tells_the_assigned_consultant(
    bot, written, coordinator, consultant, django_capture_on_commit_callbacks
):
    from tropa.notify.models import Outbox

    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    case_actions.assign(case, consultant.staff, coordinator.staff, coordinator.keys())
    Outbox.objects.all().delete()
    consultant.staff.email = "ivan@example.org"
    consultant.staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        bot.says(written, "News")
    assert Outbox.objects.filter(staff=consultant.staff, kind="message").count() == 1


def test_a_consultant_reply_is_delivered_by_the_bot(bot, written, coordinator, consultant):
    case = telegram_case()
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    case_actions.assign(case, consultant.staff, coordinator.staff, keys)
    message = case_actions.reply(case, consultant.staff, consultant.keys(), "We can help. Stay.")
    row = Outgoing.objects.get(message=message)
    assert b"We can help" not in bytes(row.sealed_payload)
    bot.step()
    assert written.sent_texts()[-1] == "We can help. Stay."
    row.refresh_from_db()
    assert row.delivered_at is not None and bytes(row.sealed_payload) == b""
    assert delivery.delivery_states([message])[message.pk].delivered_at is not None


def test_a_long_reply_arrives_in_parts(bot, written, coordinator):
    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    text = ("A line of advice.\n" * 400).strip()
    case_actions.reply(case, coordinator.staff, coordinator.keys(), text)
    bot.step()
    parts = written.sent_texts()[-2:]
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text


def test_official_handles_and_the_warning_about_fakes(bot, settings, in_hours):
    settings.TROPA_TELEGRAM_OFFICIAL = ["@tropa_help_bot", "http://tropa.onion"]
    person = bot.fake.person()
    said = bot.says(person, "/official")
    assert said[0].startswith("Наши официальные аккаунты и адреса:\n• @tropa_help_bot")
    assert "Поддельные боты" in said[0]
    # It is there in the middle of the questions too, which then go on
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:q")
    said = bot.says(person, "/official")
    assert said[0].startswith("Our official accounts and addresses:")


def test_delete_everything_shreds_the_case_and_forgets_the_chat(bot, written):
    case = telegram_case()
    said = bot.says(written, "/delete")
    assert said[0].startswith("This deletes everything you told us")
    assert bot.presses(written, "del:no") == ["Nothing was deleted."]
    bot.says(written, "/delete")
    said = bot.presses(written, "del:yes")
    assert said == ["Everything you told us is deleted. You can also delete this chat now."]
    case.refresh_from_db()
    assert case.status == Status.DELETED
    assert not Chat.objects.filter(case=case).exists()
    # Writing again starts afresh
    assert bot.says(written, "hello")[0].startswith("Выберите язык")


def test_groups_are_ignored(bot):
    bot.fake.push(
        {
            "message": {
                "message_id": 1,
                "date": 1700000000,
                "chat": {"id": -100123, "type": "group", "title": "Some group"},
                "from": {"id": 5, "is_bot": False, "first_name": "X"},
                "text": "/start",
            }
        }
    )
    bot.step()
    assert not Chat.objects.exists() and not bot.fake.sent()


# Check-ins


@pytest.fixture
def travelling(bot, written, coordinator, consultant):
    case = telegram_case()
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    case_actions.assign(case, consultant.staff, coordinator.staff, keys)
    leg = journeys.add_leg(
        case,
        consultant.staff,
        consultant.keys(),
        journeys.LegText("Bus to the border"),
        checkin_every_hours=6,
    )
    journeys.set_duress_word(case, consultant.staff, consultant.keys(), "Ромашка")
    journeys.start_leg(leg, consultant.staff)
    return leg


def test_check_in_safe_with_a_button(bot, written, travelling, consultant):
    said = bot.says(written, "/checkin")
    assert said[0].startswith("Check in: press a button.")
    assert [d for _l, d in bot.last_buttons(written)] == ["c:safe", "c:help"]
    assert bot.presses(written, "c:safe") == ["Thank you. Your check-in is recorded."]
    assert checkins_said(consultant) == ["safe"]
    assert Alert.objects.get().kind == AlertKind.CHECKIN


def test_a_duress_check_in_looks_exactly_like_a_safe_one(bot, written, travelling, consultant):
    safe = bot.says(written, "/safe")
    duress = bot.says(written, "/safe ромашка")
    assert safe == duress == ["Thank you. Your check-in is recorded."]
    assert checkins_said(consultant) == ["safe", "duress"]
    assert set(Alert.objects.values_list("kind", flat=True)) == {AlertKind.CHECKIN}
    # Both check-in messages are deleted from the phone, alike
    deleted = bot.fake.calls_to("deleteMessage")
    assert len(deleted) == 2


def test_a_wrong_word_is_a_plain_safe_check_in(bot, written, travelling, consultant):
    bot.says(written, "/safe Лютик")
    assert checkins_said(consultant) == ["safe"]


def test_a_call_for_help_raises_an_alert(bot, written, travelling, consultant):
    said = bot.says(written, "/sos")
    assert said == ["We got your call for help. A consultant is being alerted now."]
    assert Alert.objects.get().kind == AlertKind.CHECKIN
    assert checkins_said(consultant) == ["help"]


def test_no_check_in_without_an_active_leg(bot, written):
    assert bot.says(written, "/checkin") == ["There is nothing to check in for right now."]
    assert bot.says(written, "/safe") == ["There is nothing to check in for right now."]
    assert not CheckIn.objects.exists()


# Delivery that loses nothing


def test_a_failed_delivery_is_retried_until_it_succeeds(bot, written, coordinator):
    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    bot.fake.fail_next("sendMessage", count=2, error_code=502)
    message = case_actions.reply(case, coordinator.staff, coordinator.keys(), "Answer")
    bot.step()
    row = Outgoing.objects.get(message=message)
    assert row.delivered_at is None and row.attempts == 1 and row.last_error == "network"
    bot.step()  # not due yet: nothing is tried
    assert Outgoing.objects.get(pk=row.pk).attempts == 1
    with clock.moved(timedelta(seconds=16)):
        bot.step()
    assert Outgoing.objects.get(pk=row.pk).attempts == 2
    with clock.moved(timedelta(seconds=16 + 31)):
        bot.step()
    row.refresh_from_db()
    assert row.delivered_at is not None and row.attempts == 3
    assert written.sent_texts().count("Answer") == 1


def test_a_rate_limit_is_respected(bot, written, coordinator):
    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    bot.fake.fail_next("sendMessage", error_code=429, retry_after=120)
    case_actions.reply(case, coordinator.staff, coordinator.keys(), "Answer")
    bot.step()
    row = Outgoing.objects.get(message__isnull=False)
    assert row.last_error == "rate_limited"
    assert row.next_attempt_at - clock.now() > timedelta(seconds=110)


def test_later_messages_wait_for_an_earlier_one(bot, written, coordinator):
    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    bot.fake.fail_next("sendMessage", error_code=502)
    case_actions.reply(case, coordinator.staff, coordinator.keys(), "First")
    case_actions.reply(case, coordinator.staff, coordinator.keys(), "Second")
    bot.step()
    assert "Second" not in written.sent_texts()
    with clock.moved(timedelta(minutes=1)):
        bot.step()
    assert written.sent_texts()[-2:] == ["First", "Second"]


def test_a_reply_to_someone_who_blocked_the_bot_is_marked_on_the_case(bot, written, coordinator):
    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    bot.fake.fail_next("sendMessage", error_code=403)
    message = case_actions.reply(case, coordinator.staff, coordinator.keys(), "Answer")
    bot.step()
    row = Outgoing.objects.get(message=message)
    assert row.failed_at is not None and row.last_error == "blocked"
    assert bytes(row.sealed_payload) == b""
    keys = case_actions.open_case(case, coordinator.staff, coordinator.keys())
    last = case_actions.read_timeline(case, keys)[-1]
    assert last.message.kind == Kind.EVENT
    event = events.decode(last.body)
    assert event.kind == ChannelEvent.UNDELIVERED
    assert event.payload == {"seq": message.seq, "reason": "blocked"}


def test_a_reply_is_given_up_after_days_of_failures(bot, written, coordinator):
    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    message = case_actions.reply(case, coordinator.staff, coordinator.keys(), "Answer")
    bot.fake.fail_next("sendMessage", count=3, error_code=502)
    with clock.moved(delivery.GIVE_UP_AFTER + timedelta(minutes=1)):
        bot.step()
    assert Outgoing.objects.get(message=message).failed_at is not None


def test_an_update_is_acknowledged_only_after_it_is_stored(bot, written, monkeypatch):
    calls = {"n": 0}
    real = conversation.Conversation.store_message

    def crash_once(self):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the process died here")
        return real(self)

    monkeypatch.setattr(conversation.Conversation, "store_message", crash_once)
    update_id = written.says("Are you there?")
    bot.step()
    assert not Message.objects.filter(kind=Kind.FROM_REQUESTER).exists()
    assert not SeenUpdate.objects.filter(update_id=update_id).exists()
    # The crash rolled back everything; the update is still Telegram's
    bot.runner.poll_once(timeout=0)
    assert bot.fake.is_acknowledged(update_id) is False
    assert Message.objects.filter(kind=Kind.FROM_REQUESTER).count() == 1
    bot.runner.poll_once(timeout=0)
    assert bot.fake.is_acknowledged(update_id) is True


def test_a_restart_mid_conversation_loses_and_repeats_nothing(bot, coordinator, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:q")
    bot.presses(person, "a:situation:0")
    # Two answers arrive; the process dies after storing the first, before
    # Telegram heard that it was stored
    first = person.presses("skip:region")
    second = person.says("01.01.2000")  # a bad date, to be explained once
    updates = bot.api.get_updates(None, 0)
    bot.runner.handle(updates[0])
    assert bot.fake.is_acknowledged(first) is False
    bot = restart(bot)
    bot.step()
    bot.step()
    assert bot.fake.is_acknowledged(first) and bot.fake.is_acknowledged(second)
    texts = person.sent_texts()
    assert (
        texts.count(
            "If you must report somewhere, by what date?\n\nFor example 25.12.2026. "
            "Leave empty if there is none."
        )
        == 2
    )  # asked, then asked again
    assert sum(t.startswith("That date looks wrong") for t in texts) == 1
    chat = Chat.objects.get()
    assert chat.question == "report_by"
    # Telegram sending the same update again changes nothing
    bot.fake.redeliver(first)
    bot.step()
    assert person.sent_texts() == texts
    # And the request made afterwards holds every answer given before the restart
    bot.presses(person, "skip:report_by")
    for question in ("documents", "health", "russian", "languages", "deceived", "asking"):
        bot.presses(person, f"skip:{question}")
    bot.presses(person, "skip:name")
    bot.says(person, "story")
    assert intake_of(telegram_case(), coordinator)["situation"] == "summons"


def test_the_offset_is_stored_with_the_update(bot, written):
    update_id = written.says("x")
    bot.step()
    assert BotState.objects.get().offset == update_id + 1
    assert not bot.fake.is_acknowledged(update_id)  # Telegram hears it at the next poll
    bot.step()
    assert bot.fake.offsets[-1] == update_id + 1
    assert bot.fake.is_acknowledged(update_id)


def test_an_update_that_always_fails_is_set_aside_after_a_few_tries(bot, written, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(conversation.Conversation, "store_message", broken)
    update_id = written.says("x")
    for _try in range(5):
        bot.step()
    assert SeenUpdate.objects.filter(update_id=update_id).exists()
    bot.step()
    assert bot.fake.is_acknowledged(update_id)


def test_a_file_that_cannot_be_fetched_yet_waits(bot, written):
    update_id = written.sends_document(PDF, "a.pdf", "application/pdf")
    bot.fake.fail_next("getFile", error_code=502)
    bot.step()
    assert not Message.objects.filter(kind=Kind.FROM_REQUESTER).exists()
    assert not bot.fake.is_acknowledged(update_id)
    bot.step()
    assert Message.objects.filter(kind=Kind.FROM_REQUESTER).count() == 1


# Keeping little


def test_old_update_ids_and_abandoned_questionnaires_are_forgotten(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    assert SeenUpdate.objects.exists() and Chat.objects.exists()
    with clock.moved(timedelta(days=8)):
        assert delivery.forget_old_updates() >= 3
    assert not SeenUpdate.objects.exists() and not Chat.objects.exists()


def test_a_discarded_request_forgets_its_chat(bot, written, coordinator, settings):
    case = telegram_case()
    case_triage.discard([case], coordinator.staff)
    with clock.moved(timedelta(minutes=settings.TROPA_DISCARD_UNDO_MINUTES + 1)):
        case_triage.shred_discarded()
    delivery.forget_old_updates()
    assert not Chat.objects.exists()


def test_a_merged_request_follows_its_chat(bot, written, coordinator):
    from tropa.testing.factories import new_requester

    _codename, older = new_requester("en")
    keys = coordinator.keys()
    case_triage.accept(older, coordinator.staff, keys)
    source = telegram_case()
    case_triage.merge(source, older, coordinator.staff, keys)
    chat = Chat.objects.get()
    assert chat.case == older
    case_actions.reply(older, coordinator.staff, keys, "Merged and answered")
    bot.step()
    assert written.sent_texts()[-1] == "Merged and answered"
    bot.says(written, "thanks")
    older_keys = case_actions.open_case(older, coordinator.staff, keys)
    assert case_actions.read_timeline(older, older_keys)[-1].body == "thanks"


def test_a_reply_with_a_file_sends_the_file_too(bot, written, coordinator):
    from tropa.cases import files
    from tropa.cases.uploads import seal_bytes

    case = telegram_case()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    upload = seal_bytes("advice.pdf", PDF)
    message = files.reply_with_files(case, coordinator.staff, coordinator.keys(), "See", [upload])
    rows = Outgoing.objects.filter(message=message)
    assert rows.count() == 2
    assert all(PDF not in bytes(row.sealed_payload) for row in rows)
    bot.step()
    (document,) = bot.fake.sent_documents(written.id)
    assert document["content"] == PDF and document["filename"] == "advice.pdf"
    assert written.sent_texts()[-1] == "See"
    assert all(bytes(row.sealed_payload) == b"" for row in rows.all())


def test_delete_in_the_middle_of_the_questions_forgets_the_answers_at_once(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:q")
    bot.presses(person, "a:situation:4")
    assert Chat.objects.get().sealed_draft
    said = bot.says(person, "/delete")
    assert said == ["Everything you told us is deleted. You can also delete this chat now."]
    chat = Chat.objects.get()
    assert chat.sealed_draft is None and chat.step == Step.LANGUAGE
    assert not Case.objects.exists()
