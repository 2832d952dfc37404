"""Running the bot: configuration, `tropa check`, and what never reaches a log."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from tropa.channels import texts
from tropa.channels.runner import HEARTBEAT
from tropa.cli.checks import run_checks
from tropa.core.models import Heartbeat

pytestmark = pytest.mark.django_db


def checked() -> list[str]:
    lines: list[str] = []
    run_checks(lines.append)
    return lines


def test_check_says_when_the_bot_is_not_running(settings, org):
    settings.TROPA_TELEGRAM_TOKEN = "123:" + "x" * 40
    settings.TROPA_TELEGRAM_OFFICIAL = ["@tropa_help_bot"]
    assert any("the Telegram bot is not running (never ran)" in line for line in checked())
    Heartbeat.beat(HEARTBEAT)
    assert any("Telegram bot heartbeat fresh" in line for line in checked())


def test_check_wants_the_official_handles(settings, org):
    settings.TROPA_TELEGRAM_TOKEN = "123:" + "x" * 40
    settings.TROPA_TELEGRAM_OFFICIAL = []
    assert any("TROPA_TELEGRAM_OFFICIAL is empty" in line for line in checked())


def test_check_is_silent_about_telegram_without_a_token(settings, org):
    settings.TROPA_TELEGRAM_TOKEN = ""
    assert not any("Telegram" in line for line in checked())


@pytest.mark.parametrize("hours", ["10:00", "25:00-22:00", "ten to ten"])
def test_bad_hours_are_refused_with_a_message(settings, hours):
    settings.TROPA_TELEGRAM_HOURS = hours
    with pytest.raises(ImproperlyConfigured, match="TROPA_TELEGRAM_HOURS must look like"):
        texts.check_hours()


def test_a_bad_time_zone_is_refused(settings):
    settings.TROPA_TELEGRAM_TIMEZONE = "Mars/Olympus"
    with pytest.raises(ImproperlyConfigured):
        texts.check_hours()


def test_hours_across_midnight(settings):
    from datetime import UTC, datetime

    settings.TROPA_TELEGRAM_HOURS = "20:00-02:00"
    settings.TROPA_TELEGRAM_TIMEZONE = "UTC"
    assert texts.in_hours(datetime(2026, 1, 1, 23, 0, tzinfo=UTC))
    assert texts.in_hours(datetime(2026, 1, 1, 1, 0, tzinfo=UTC))
    assert not texts.in_hours(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))


def test_the_token_never_reaches_a_log(bot, capsys, in_hours):
    """httpx logs request URLs, which hold the token; the settings keep it quiet."""

    from logging.config import dictConfig

    from django.conf import settings as django_settings

    dictConfig(django_settings.LOGGING)
    person = bot.fake.person()
    bot.says(person, "/start")
    bot.fake.fail_next("sendMessage", error_code=502)
    bot.presses(person, "lang:en")
    logged = capsys.readouterr().err
    logging.getLogger().setLevel(logging.INFO)
    assert "telegram delivery failed (network)" in logged  # the capture works
    assert bot.fake.token not in logged
    assert bot.fake.token.split(":")[1] not in logged
