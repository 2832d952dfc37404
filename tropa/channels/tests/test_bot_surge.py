"""The bot in surge mode: it answers at once with what to do while waiting,
in the person's language, and asks only the questions triage needs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tropa.cases import questionnaire, surge
from tropa.cases.models import Case, Channel, Status
from tropa.core import clock

pytestmark = pytest.mark.django_db

BUSY = {
    "ru": "Сейчас нам пишет очень много людей.",
    "en": "Very many people are writing to us right now.",
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_in_surge_the_bot_answers_at_once_and_asks_only_what_triage_needs(
    bot, coordinator, in_hours, language
):
    surge.switch(coordinator.staff, on=True)
    person = bot.fake.person()
    bot.says(person, "/start")
    said = bot.presses(person, f"lang:{language}")
    assert any(BUSY[language] in text for text in said)
    asked = bot.presses(person, "mode:q")
    asked += bot.presses(person, "a:situation:0")
    asked += bot.presses(person, "g:volga")
    region = next(data for _label, data in bot.last_buttons(person) if data.startswith("r:"))
    asked += bot.presses(person, region)
    asked += bot.says(person, (clock.now().date() + timedelta(days=5)).strftime("%d.%m.%Y"))
    for question in ("health", "russian", "deceived"):
        asked += bot.presses(person, f"skip:{question}")
    said = bot.says(person, "Мне пришла повестка, что делать?")
    # the questions left out in surge were never asked
    left_out = [q for q in questionnaire.load().questions if not q.in_surge]
    assert left_out and not any(
        text.startswith(q.label[language]) for q in left_out for text in asked
    )
    kept = [q for q in questionnaire.load().questions if q.in_surge and q.id != "situation"]
    assert all(any(text.startswith(q.label[language]) for text in asked) for q in kept)
    case = Case.objects.get(channel=Channel.TELEGRAM)
    assert case.status == Status.NEW and said


def test_without_surge_the_bot_says_nothing_of_it(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    said = bot.presses(person, "lang:en")
    assert not any(BUSY["en"] in text for text in said)
