"""The triage priority: the formula in tropa/intake/triage.py, term by term."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tropa.cases import questionnaire
from tropa.cases.models import Case, RegionGroup, Situation
from tropa.conftest import english_client
from tropa.core import clock
from tropa.intake import triage
from tropa.testing.factories import answers


def code(**answers: object) -> triage.Coded:
    return triage.code_answers(questionnaire.load(), answers)


def in_days(days: int) -> date:
    return clock.now().date() + timedelta(days=days)


FLAGS = (
    "flag_report_soon",
    "flag_front",
    "flag_awol",
    "flag_illness",
    "flag_poor_russian",
    "flag_deceived",
    "flag_relative",
)


def raised(coded: triage.Coded) -> set[str]:
    return {flag for flag in FLAGS if getattr(coded, flag)}


@pytest.mark.parametrize(
    ("situation", "base"),
    [
        ("at_front", 40),
        ("awol", 40),
        ("mobilised", 30),
        ("contract", 25),
        ("summons", 20),
        ("relative", 15),
        ("other", 10),
        ("abroad", 5),
    ],
)
def test_it_starts_from_the_situation(situation, base):
    assert code(situation=situation).priority == base


def test_it_caps_the_priority_at_100():
    coded = code(
        situation="at_front",
        report_by=in_days(2),
        health="yes",
        russian="none",
        deceived="yes",
    )
    # 40 + 30 + 15 + 10 + 15 = 110
    assert coded.priority == 100
    assert raised(coded) == {
        "flag_front",
        "flag_report_soon",
        "flag_illness",
        "flag_poor_russian",
        "flag_deceived",
    }


def test_it_scores_a_summons_ten_days_out():
    coded = code(situation="summons", report_by=in_days(10))
    assert coded.priority == 30
    assert raised(coded) == {"flag_report_soon"}


def test_it_scores_someone_abroad_lowest():
    coded = code(situation="abroad", region="abroad")
    assert coded.priority == 5
    assert coded.region_group == RegionGroup.ABROAD
    assert raised(coded) == set()


@pytest.mark.parametrize(
    ("days", "bonus"),
    [
        (-30, 30),  # overdue counts as soon
        (-1, 30),
        (0, 30),
        (3, 30),
        (4, 20),
        (7, 20),
        (8, 10),
        (14, 10),
        (15, 0),
        (400, 0),
    ],
)
def test_it_adds_for_a_near_report_by_date(days, bonus):
    coded = code(situation="summons", report_by=in_days(days))
    assert coded.priority == 20 + bonus
    assert coded.flag_report_soon is (bonus > 0)


def test_it_reads_the_report_by_date_against_the_movable_clock():
    report_by = in_days(20)
    assert code(situation="summons", report_by=report_by).priority == 20
    with clock.moved(timedelta(days=10)):
        assert code(situation="summons", report_by=report_by).priority == 30


def test_it_ignores_a_missing_or_unparsed_date():
    assert code(situation="summons", report_by=None).priority == 20
    assert code(situation="summons", report_by="2026-01-01").priority == 20


@pytest.mark.parametrize(
    ("extra", "bonus", "flag"),
    [
        ({"health": "yes"}, 15, "flag_illness"),
        ({"russian": "basic"}, 10, "flag_poor_russian"),
        ({"russian": "none"}, 10, "flag_poor_russian"),
        ({"deceived": "yes"}, 15, "flag_deceived"),
    ],
)
def test_it_adds_for_each_vulnerability(extra, bonus, flag):
    coded = code(situation="contract", **extra)
    assert coded.priority == 25 + bonus
    assert raised(coded) == {flag}


@pytest.mark.parametrize(
    "extra",
    [
        {"health": "no"},
        {"russian": "native"},
        {"russian": "good"},
        {"deceived": "no"},
        {"deceived": "no_contract"},
        {"asking": "self"},
    ],
)
def test_it_adds_nothing_for_reassuring_answers(extra):
    coded = code(situation="contract", **extra)
    assert coded.priority == 25
    assert raised(coded) == set()


def test_it_flags_the_front_and_absence():
    assert raised(code(situation="at_front")) == {"flag_front"}
    assert raised(code(situation="awol")) == {"flag_awol"}


def test_it_flags_a_relative_by_situation_or_by_who_asks():
    assert code(situation="relative").flag_relative
    by_asker = code(situation="mobilised", asking="relative")
    assert by_asker.flag_relative
    assert by_asker.priority == 30  # a flag, not a bonus


@pytest.mark.parametrize(
    ("region", "group"),
    [
        ("moscow", "central"),
        ("saint_petersburg", "northwest"),
        ("dagestan", "north_caucasus"),
        ("tatarstan", "volga"),
        ("sverdlovsk", "ural"),
        ("novosibirsk", "siberia"),
        ("primorsky", "far_east"),
        ("crimea", "occupied"),
        ("abroad", "abroad"),
        ("unknown", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
        ("atlantis", "unknown"),
    ],
)
def test_it_codes_the_region_as_its_group(region, group):
    assert code(situation="other", region=region).region_group == group


def test_it_treats_a_missing_situation_as_other():
    coded = code()
    assert coded.situation == Situation.OTHER
    assert coded.priority == 10


def test_it_codes_every_region_in_the_list_to_a_known_group():
    q = questionnaire.load()
    groups = set(RegionGroup.values)
    assert {r.group for r in q.regions} <= groups
    for region in q.regions:
        assert code(situation="other", region=region.code).region_group == region.group


def test_it_stores_the_coded_fields_on_the_case(org):
    response = english_client().post(
        "/request/",
        answers(
            situation="awol",
            region="chechnya",
            report_by=in_days(1).strftime("%d.%m.%Y"),
            health="yes",
            russian="none",
            deceived="yes",
            asking="relative",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.situation == "awol"
    assert case.region_group == "north_caucasus"
    assert case.priority == 100
    assert case.flag_awol and case.flag_report_soon and case.flag_illness
    assert case.flag_poor_russian and case.flag_deceived and case.flag_relative
    assert not case.flag_front


def test_it_stores_a_low_priority_for_a_plain_request(org):
    response = english_client().post("/request/", {"situation": "abroad"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.situation, case.priority, case.region_group) == ("abroad", 5, "unknown")
    assert not any(getattr(case, flag) for flag in FLAGS)
