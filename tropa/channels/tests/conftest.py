"""A bot talking to a fake Bot API on loopback, stepped by the test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from tropa.channels import api as telegram_api
from tropa.channels import delivery
from tropa.channels.api import Api
from tropa.channels.runner import Runner
from tropa.core import clock
from tropa.testing.fakebot import FakeBotApi, Person


@dataclass
class Bot:
    fake: FakeBotApi
    api: Api
    runner: Runner

    def step(self) -> int:
        """What a running bot does: fetch and store updates, then deliver."""
        stored = self.runner.poll_once(timeout=0)
        delivery.deliver_pending(self.api)
        return stored

    def says(self, person: Person, text: str) -> list[str]:
        """The person writes; returns what the bot answered."""
        before = len(person.sent())
        person.says(text)
        self.step()
        return person.sent_texts()[before:]

    def presses(self, person: Person, data: str) -> list[str]:
        before = len(person.sent())
        person.presses(data)
        self.step()
        return person.sent_texts()[before:]

    def last_buttons(self, person: Person) -> list[tuple[str, Any]]:
        return FakeBotApi.buttons(person.sent()[-1])


def restart(bot: Bot) -> Bot:
    """A new process: a new Api and Runner against the same fake and database."""
    bot.api.close()
    api = Api(bot.fake.token, bot.fake.base_url.removesuffix("/bot"), poll_seconds=0)
    runner = Runner(api)
    runner.start()
    return Bot(bot.fake, api, runner)


def moscow_noon_shift() -> timedelta:
    """How far to move Tropa's clock to land at 12:00 in Moscow (inside hours)."""
    now = clock.now()
    target = now.replace(hour=9, minute=0, second=0, microsecond=0)  # 12:00 MSK is 09:00 UTC
    if target < now:
        target += timedelta(days=1)
    return target - now


def shift_to_utc(hour: int, minute: int = 0) -> timedelta:
    now = clock.now()
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target < now:
        target += timedelta(days=1)
    return target - now


@pytest.fixture
def in_hours():
    """Tropa's clock at 12:00 Moscow time, inside consultant hours."""
    with clock.moved(moscow_noon_shift()):
        yield


@pytest.fixture
def bot(settings, org) -> Bot:
    with FakeBotApi() as fake:
        base = fake.base_url.removesuffix("/bot")
        settings.TROPA_TELEGRAM_TOKEN = fake.token
        settings.TROPA_TELEGRAM_API_URL = base
        settings.TROPA_TELEGRAM_WEBHOOK_URL = ""
        api = Api(fake.token, base, poll_seconds=0)
        runner = Runner(api)
        runner.start()
        made = Bot(fake, api, runner)
        yield made
        made.api.close()
        telegram_api.reset_shared()
