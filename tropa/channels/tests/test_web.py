"""The webhook, and staff opting in to Telegram notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tropa.cases import actions as case_actions
from tropa.cases import triage as case_triage
from tropa.channels import delivery
from tropa.channels.models import BotState, Chat, SeenUpdate, StaffLink
from tropa.channels.runner import webhook_secret
from tropa.conftest import english_client, russian_client, sign_in
from tropa.core import clock
from tropa.notify.models import Outbox
from tropa.notify.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

HOOK = "/telegram/hook/"


@pytest.fixture
def webhook(bot, settings):
    settings.TROPA_TELEGRAM_WEBHOOK_URL = "https://helpline.example/telegram/hook/"
    bot.runner.start()
    return bot


def post_update(update: dict, secret: str | None) -> object:
    headers = {} if secret is None else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret}
    return Client().post(HOOK, update, content_type="application/json", **headers)


def test_starting_in_webhook_mode_registers_the_hook_with_its_secret(webhook):
    assert webhook.fake.webhook_url == "https://helpline.example/telegram/hook/"
    assert webhook.fake.webhook_secret == webhook_secret()


def test_the_webhook_stores_an_update_once(webhook, in_hours):
    person = webhook.fake.person()
    update_id = person.says("/start")
    update = webhook.fake.update(update_id)
    assert post_update(update, webhook_secret()).status_code == 200
    assert post_update(update, webhook_secret()).status_code == 200  # Telegram retried
    assert SeenUpdate.objects.filter(update_id=update_id).count() == 1
    assert Chat.objects.count() == 1
    delivery.deliver_pending(webhook.api)
    assert person.sent_texts() == ["Выберите язык. / Choose your language."]


def test_the_webhook_refuses_a_caller_without_the_secret(webhook):
    person = webhook.fake.person()
    update = webhook.fake.update(person.says("/start"))
    assert post_update(update, None).status_code == 403
    assert post_update(update, "guess").status_code == 403
    assert not SeenUpdate.objects.exists() and not Chat.objects.exists()


def test_the_webhook_refuses_garbage(webhook):
    response = Client().post(
        HOOK,
        "not json",
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=webhook_secret(),
    )
    assert response.status_code == 400


def test_without_a_webhook_configured_there_is_no_hook(bot):
    person = bot.fake.person()
    update = bot.fake.update(person.says("/start"))
    assert post_update(update, webhook_secret()).status_code == 404


# Staff notifications by Telegram


def english(person):
    """The staff member reads English (their own language decides the bot's)."""
    person.staff.language = "en"
    person.staff.save(update_fields=["language"])
    return person


def connect(client) -> str:
    response = client.post("/staff/telegram/connect/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    code = page.split("/start staff_", 1)[1].split("<", 1)[0]
    return code


def test_a_staff_member_links_telegram_and_gets_alerts_without_content(
    bot, consultant, coordinator, in_hours
):
    english(consultant)
    client = sign_in(english_client(), consultant)
    page = client.get("/staff/telegram/").content.decode()
    assert "Connect my Telegram" in page
    code = connect(client)
    page = client.get("/staff/telegram/").content.decode()
    assert "/start staff_" not in page  # the code is shown once
    staff_phone = bot.fake.person()
    said = bot.says(staff_phone, f"/start staff_{code}")
    assert said == [
        "Tropa notifications are on. You will get only “something needs you” messages "
        "here, never case content."
    ]
    link = StaffLink.objects.get(staff=consultant.staff)
    assert link.linked_at is not None and link.code_hash is None
    assert str(staff_phone.id).encode() not in bytes(link.sealed_chat)
    assert not Chat.objects.exists()  # a staff member is no requester
    assert "Telegram notifications are on." in client.get("/staff/telegram/").content.decode()

    # An assignment tells them by Telegram, with nothing about the case
    from tropa.testing.factories import new_requester

    _codename, case = new_requester("en")
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    case_actions.assign(case, consultant.staff, coordinator.staff, keys)
    assert Outbox.objects.filter(staff=consultant.staff, channel="telegram").count() == 1
    deliver_outbox()
    assert staff_phone.sent_texts()[-1] == "Tropa: something new for you. Sign in to see it."
    assert case.alias not in staff_phone.sent_texts()[-1]


def test_a_used_or_expired_link_code_is_refused(bot, consultant, in_hours):
    english(consultant)
    client = sign_in(english_client(), consultant)
    code = connect(client)
    phone = bot.fake.person()
    with clock.moved(timedelta(minutes=16)):
        said = bot.says(phone, f"/start staff_{code}")
    assert said == ["That link has expired or was already used. Make a new one in Tropa."]
    assert StaffLink.objects.get().linked_at is None
    # A code nobody made: nobody's language is known, so Russian
    assert bot.says(phone, "/start staff_" + "0" * 36)[0].startswith("Срок ссылки истёк")


def test_turning_telegram_notifications_off(bot, consultant):
    client = sign_in(english_client(), consultant)
    code = connect(client)
    bot.says(bot.fake.person(), f"/start staff_{code}")
    client.post("/staff/telegram/disconnect/")
    assert not StaffLink.objects.exists()
    consultant.staff.email = ""
    consultant.staff.save()
    from tropa.notify.outbox import tell as notify

    assert notify(consultant.staff, "message") is False


def test_a_failed_telegram_notification_is_retried(bot, consultant):
    english(consultant)
    client = sign_in(english_client(), consultant)
    phone = bot.fake.person()
    bot.says(phone, f"/start staff_{connect(client)}")
    Outbox.objects.all().delete()
    Outbox.objects.create(staff=consultant.staff, kind="alert_checkin", channel="telegram")
    bot.fake.fail_next("sendMessage", error_code=502)
    deliver_outbox()
    row = Outbox.objects.get()
    assert row.delivered_at is None and row.last_error == "telegram: network"
    with clock.moved(timedelta(minutes=1)):
        deliver_outbox()
    assert phone.sent_texts()[-1] == (
        "Tropa: URGENT, an alert needs you now. Sign in and acknowledge it."
    )


def test_the_telegram_page_is_in_russian_too(bot, consultant):
    consultant.staff.language = "ru"
    consultant.staff.save()
    client = sign_in(russian_client(), consultant)
    BotState.objects.update_or_create(pk=1, defaults={"username": "tropa_help_bot"})
    page = client.post("/staff/telegram/connect/", follow=True).content.decode()
    assert "Подключите свой Telegram" in page
    assert "https://t.me/tropa_help_bot?start=staff_" in page


def test_without_a_token_the_page_says_so(consultant, settings):
    settings.TROPA_TELEGRAM_TOKEN = ""
    client = sign_in(english_client(), consultant)
    page = client.get("/staff/telegram/").content.decode()
    assert "The Telegram bot is not set up on this server." in page
    client.post("/staff/telegram/connect/")
    assert not StaffLink.objects.exists()


def test_the_telegram_page_is_for_signed_in_staff_only(db):
    response = Client().get("/staff/telegram/")
    assert response.status_code in (302, 403, 404)


def test_the_case_page_shows_the_channel_and_each_replys_delivery(bot, coordinator, in_hours):
    english(coordinator)
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.presses(person, "lang:en")
    bot.presses(person, "mode:free")
    bot.says(person, "Please help")
    from tropa.cases.models import Case

    case = Case.objects.get()
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    case_actions.reply(case, coordinator.staff, keys, "First answer")
    bot.step()
    bot.fake.fail_next("sendMessage", error_code=403)
    case_actions.reply(case, coordinator.staff, keys, "Second answer")
    bot.step()
    client = sign_in(english_client(), coordinator)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "<dt>Came by</dt><dd>Telegram</dd>" in page
    assert "delivered by Telegram" in page
    assert "not delivered by Telegram" in page
    assert (
        "Telegram could not deliver reply no. 3: the person blocked the bot or deleted "
        "the chat. Reach the person another way if you can." in page
    )
    assert str(person.id) not in page and person.username not in page
