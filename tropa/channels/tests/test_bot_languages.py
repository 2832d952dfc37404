"""The bot's whole intake in a language of foreign recruits (Uzbek): every
message and button in that language, the request coded with it."""

from __future__ import annotations

import pytest

from tropa.cases.models import Case, Channel
from tropa.channels.tests.test_bot import answer_everything

pytestmark = pytest.mark.django_db


def test_the_bot_takes_a_request_in_uzbek(bot, in_hours):
    person = bot.fake.person()
    bot.says(person, "/start")
    assert ("Oʻzbekcha", "lang:uz") in bot.last_buttons(person)
    assert ("دری", "lang:fa-af") in bot.last_buttons(person)
    welcome = bot.presses(person, "lang:uz")
    assert any("Bu yordam liniyasi." in text for text in welcome)
    assert ("Savollarga javob berish", "mode:q") in bot.last_buttons(person)
    bot.presses(person, "mode:q")
    assert "Sizga nima boʻlyapti?" in person.sent_texts()[-1]
    answer_everything(bot, person, "uz", started=True)
    said = bot.says(person, "Meni aldab shartnoma imzolatishdi, nima qilay?")
    assert said[0].startswith("Rahmat. Soʻrovingiz qabul qilindi va shifrlandi.")
    case = Case.objects.get(channel=Channel.TELEGRAM)
    assert case.language == "uz"
