"""The questionnaire definition: the shipped file, the checks, a helpline's own copy."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tropa.cases import questionnaire
from tropa.cases.models import Case, Situation
from tropa.conftest import english_client, russian_client
from tropa.keyring.actions import open_keyring
from tropa.testing.factories import answers, open_intake

SHIPPED = json.loads((questionnaire.HERE / "questionnaire.json").read_text(encoding="utf-8"))
REGIONS = json.loads((questionnaire.HERE / "regions.json").read_text(encoding="utf-8"))


@pytest.fixture
def fresh_caches():
    questionnaire.load.cache_clear()
    questionnaire._form_class.cache_clear()
    yield
    questionnaire.load.cache_clear()
    questionnaire._form_class.cache_clear()


def definition() -> dict:
    return copy.deepcopy(SHIPPED)


def question(data: dict, qid: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == qid)


def refused(data: dict, regions: dict | None = None) -> str:
    with pytest.raises(ImproperlyConfigured) as error:
        questionnaire.parse(data, regions or copy.deepcopy(REGIONS))
    message = str(error.value)
    assert message.startswith(("questionnaire:", "regions:"))
    return message


# --- the shipped definition ---------------------------------------------------


def test_it_loads_the_shipped_definition():
    q = questionnaire.parse(definition(), REGIONS)
    assert q.version >= 1
    ids = [question.id for question in q.questions]
    assert ids[0] == "situation"
    assert set(questionnaire.CODED) <= set(ids)
    assert {o.value for o in q.question("situation").options} == set(Situation.values)
    assert q.question("situation").required
    assert not any(question.required for question in q.questions[1:])
    assert q.question("name").sensitive and q.question("contact_handle").sensitive
    assert q.question("story").max_length == 10_000
    assert len(q.regions) >= 89
    assert q.region("moscow").group == "central"
    assert q.region("atlantis") is None


def test_it_offers_every_situation_the_issue_names():
    q = questionnaire.parse(definition(), REGIONS)
    assert [o.value for o in q.question("situation").options] == [
        "summons",
        "mobilised",
        "contract",
        "at_front",
        "awol",
        "abroad",
        "relative",
        "other",
    ]


def test_it_has_every_text_in_both_languages():
    q = questionnaire.parse(definition(), REGIONS)
    for item in q.questions:
        assert item.label["ru"] != item.label["en"] or item.label["en"] in {"Telegram"}
        for option in item.options:
            assert option.label["ru"].strip() and option.label["en"].strip()
    for region in q.regions:
        assert region.label["ru"].strip() and region.label["en"].strip()


def test_it_caches_the_definition(fresh_caches):
    assert questionnaire.load() is questionnaire.load()
    assert questionnaire.form_class("en") is questionnaire.form_class("en")
    assert questionnaire.form_class("ru") is not questionnaire.form_class("en")
    assert questionnaire.form_class("de") is questionnaire.form_class("ru")


# --- what parse() refuses -----------------------------------------------------


def test_it_refuses_a_definition_without_the_situation():
    data = definition()
    data["questions"] = [q for q in data["questions"] if q["id"] != "situation"]
    assert "'situation' is needed" in refused(data)


def test_it_refuses_an_optional_situation():
    data = definition()
    question(data, "situation")["required"] = False
    assert "'situation' is needed" in refused(data)


def test_it_refuses_a_situation_that_is_not_a_choice():
    data = definition()
    situation = question(data, "situation")
    situation["type"] = "text"
    situation.pop("options")
    assert "'situation' is needed" in refused(data)


def test_it_refuses_duplicate_ids():
    data = definition()
    data["questions"].append(copy.deepcopy(question(data, "story")))
    message = refused(data)
    assert f"question {len(data['questions'])}" in message
    assert "unique" in message


@pytest.mark.parametrize("bad_id", [None, "", "has space", "1st", 7])
def test_it_refuses_a_bad_id(bad_id):
    data = definition()
    question(data, "story")["id"] = bad_id
    assert "needs a unique identifier 'id'" in refused(data)


def test_it_refuses_an_unknown_type():
    data = definition()
    question(data, "story")["type"] = "slider"
    assert "question 'story' has unknown type 'slider'" in refused(data)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_it_refuses_a_missing_label_translation(language):
    data = definition()
    del question(data, "languages")["label"][language]
    message = refused(data)
    assert "question 'languages'" in message
    assert "non-empty 'ru' and 'en'" in message


def test_it_refuses_a_blank_label():
    data = definition()
    question(data, "name")["label"]["ru"] = "   "
    assert "question 'name' needs non-empty" in refused(data)


def test_it_refuses_a_missing_option_label():
    data = definition()
    question(data, "health")["options"][0]["label"] = {"ru": "Да"}
    assert "question 'health' option 'yes'" in refused(data)


def test_it_refuses_a_missing_help_translation():
    data = definition()
    question(data, "story")["help"] = {"en": "Only English"}
    assert "question 'story' help" in refused(data)


def test_it_refuses_a_missing_intro():
    data = definition()
    del data["intro"]
    assert "intro" in refused(data)


def test_it_refuses_an_unknown_situation_value():
    data = definition()
    question(data, "situation")["options"].append(
        {"value": "pirate", "label": {"ru": "Пират", "en": "Pirate"}}
    )
    assert "unknown situations ['pirate']" in refused(data)


def test_it_refuses_a_choice_with_one_option():
    data = definition()
    question(data, "health")["options"] = question(data, "health")["options"][:1]
    assert "question 'health' needs at least two options" in refused(data)


def test_it_refuses_repeated_option_values():
    data = definition()
    options = question(data, "russian")["options"]
    options.append(copy.deepcopy(options[0]))
    assert "question 'russian' repeats an option value" in refused(data)


@pytest.mark.parametrize("max_length", [0, -5, 20_001, 10**9, "many", None, [10]])
def test_it_refuses_a_bad_max_length(max_length):
    data = definition()
    question(data, "languages")["max_length"] = max_length
    message = refused(data)
    assert "question 'languages'" in message
    assert "max_length" in message


@pytest.mark.parametrize("version", [0, -1, "1", None, 1.5])
def test_it_refuses_a_bad_version(version):
    data = definition()
    data["version"] = version
    assert "'version' must be a whole number" in refused(data)


def test_it_refuses_a_region_in_an_unknown_group():
    regions = copy.deepcopy(REGIONS)
    regions["regions"][0]["group"] = "narnia"
    assert "unknown group" in refused(definition(), regions)


@pytest.mark.parametrize("bad", ["not an object", 42, None, ["a", "list"]])
def test_it_refuses_a_question_that_is_not_an_object(bad):
    data = definition()
    data["questions"].append(bad)
    assert f"question {len(data['questions'])}" in refused(data)


def test_it_refuses_an_option_without_a_value():
    data = definition()
    del question(data, "health")["options"][1]["value"]
    assert "question 'health'" in refused(data)


# --- loading a helpline's own file --------------------------------------------


def write_definition(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "questionnaire.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def with_pets_question() -> dict:
    data = definition()
    data["version"] = 2
    data["questions"].insert(
        2,
        {
            "id": "pets",
            "type": "multi",
            "label": {"ru": "Есть ли у вас питомцы?", "en": "Do you travel with pets?"},
            "help": {"ru": "Это важно для дороги.", "en": "It matters for the journey."},
            "options": [
                {"value": "cat", "label": {"ru": "Кошка", "en": "A cat"}},
                {"value": "dog", "label": {"ru": "Собака", "en": "A dog"}},
            ],
        },
    )
    return data


def test_it_shows_a_question_from_a_custom_file(tmp_path, monkeypatch, fresh_caches, org):
    path = write_definition(tmp_path, with_pets_question())
    monkeypatch.setenv("TROPA_QUESTIONNAIRE", str(path))
    en = english_client().get("/request/").content.decode()
    assert "Do you travel with pets?" in en
    assert "It matters for the journey." in en
    assert 'name="pets" value="dog"' in en
    ru = russian_client().get("/request/").content.decode()
    assert "Есть ли у вас питомцы?" in ru
    assert "Собака" in ru


def test_it_stores_the_extra_answer_and_version(tmp_path, monkeypatch, fresh_caches, coordinator):
    path = write_definition(tmp_path, with_pets_question())
    monkeypatch.setenv("TROPA_QUESTIONNAIRE", str(path))
    response = english_client().post("/request/", answers(pets=["cat", "dog"]))
    assert response.status_code == 302
    case = Case.objects.select_related("keyring").get()
    assert case.questionnaire_version == 2
    case_keys = open_keyring(case.keyring, coordinator.staff, coordinator.keys())
    assert open_intake(case, case_keys)["answers"]["pets"] == ["cat", "dog"]
    refused_choice = english_client().post("/request/", answers(pets=["hamster"]))
    assert refused_choice.status_code == 400


def test_it_drops_a_question_removed_from_a_custom_file(tmp_path, monkeypatch, fresh_caches, org):
    data = definition()
    data["questions"] = [q for q in data["questions"] if q["id"] != "name"]
    monkeypatch.setenv("TROPA_QUESTIONNAIRE", str(write_definition(tmp_path, data)))
    page = english_client().get("/request/").content.decode()
    assert 'name="name"' not in page
    assert english_client().post("/request/", answers()).status_code == 302


def test_it_names_an_unreadable_file(tmp_path, monkeypatch, fresh_caches):
    missing = tmp_path / "nope.json"
    monkeypatch.setenv("TROPA_QUESTIONNAIRE", str(missing))
    with pytest.raises(ImproperlyConfigured, match="cannot read .*nope.json"):
        questionnaire.load()


def test_it_names_a_file_that_is_not_json(tmp_path, monkeypatch, fresh_caches):
    path = tmp_path / "broken.json"
    path.write_text('{"version": 1, "questions": [', encoding="utf-8")
    monkeypatch.setenv("TROPA_QUESTIONNAIRE", str(path))
    with pytest.raises(ImproperlyConfigured, match="cannot read .*broken.json"):
        questionnaire.load()


def test_it_checks_a_custom_file_when_loading(tmp_path, monkeypatch, fresh_caches):
    data = definition()
    question(data, "story")["type"] = "essay"
    monkeypatch.setenv("TROPA_QUESTIONNAIRE", str(write_definition(tmp_path, data)))
    with pytest.raises(ImproperlyConfigured, match="unknown type 'essay'"):
        questionnaire.load()


def test_a_question_can_be_kept_to_one_channel():
    from tropa.cases import questionnaire as q

    loaded = q.load()
    assert loaded.question("contact_handle").channels == ("web",)
    assert "contact_handle" in q.form_class("en").base_fields
    assert "contact_handle" not in q.form_class("en", "telegram").base_fields
    assert loaded.question("story").channels == ("web", "telegram")


@pytest.mark.parametrize("channels", [[], ["fax"], "web"])
def test_unknown_channels_are_refused(channels):
    data = definition()
    question(data, "region")["channels"] = channels
    assert "channels must be a list of web, telegram" in refused(data)


def test_the_situation_must_be_asked_everywhere():
    data = definition()
    question(data, "situation")["channels"] = ["web"]
    assert "asked on every channel" in refused(data)
