"""Codenames: the word lists, generation, normalisation and leak detection."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tropa.intake import codenames
from tropa.intake.codenames import (
    LANGUAGES,
    WORDS_PER_CODENAME,
    contains_codename,
    entropy_bits,
    generate_codename,
    load_words,
    looks_like_codename,
    normalise,
)
from tropa.vault.requester import normalise_codename

ALPHABETS = {"ru": re.compile(r"[а-я]{3,8}"), "en": re.compile(r"[a-z]{3,8}")}
DENIED = {
    "ru": ["война", "армия", "граница", "побег", "смерть", "оружие", "полиция", "тюрьма",
           "солдат", "призыв", "повестка", "бог", "церковь", "кровь", "наркотик", "секс",
           "паспорт", "президент", "россия", "украина", "флаг", "танк", "бомба", "автомат"],
    "en": ["war", "army", "border", "escape", "gun", "death", "police", "prison", "soldier",
           "draft", "passport", "refugee", "church", "god", "blood", "drug", "sex", "kill",
           "bomb", "rifle", "russia", "president", "flag", "security"],
}  # fmt: skip


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_4096_distinct_words_per_language(language):
    words = load_words(language)
    assert len(words) == 4096
    assert len({w.casefold() for w in words}) == 4096
    assert len({normalise(w) for w in words}) == 4096


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_words_to_the_alphabet_and_length(language):
    bad = [w for w in load_words(language) if not ALPHABETS[language].fullmatch(w)]
    assert bad == []
    assert all(normalise(w) == w for w in load_words(language))


def test_it_has_no_yo_or_hard_sign_in_russian():
    assert not [w for w in load_words("ru") if "ё" in w or "ъ" in w]


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_short_words_two_edits_apart(language):
    short = [w for w in load_words(language) if len(w) <= 4]
    twins = [(a, b) for i, a in enumerate(short) for b in short[i + 1 :] if _one_edit(a, b)]
    assert twins == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_leaves_out_alarming_words(language):
    words = set(load_words(language))
    assert [w for w in DENIED[language] if w in words] == []


def test_it_rejects_an_unknown_language():
    with pytest.raises(ValueError):
        generate_codename("de")
    with pytest.raises(ValueError):
        load_words("xx")


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_generates_seven_words_from_the_right_list(language):
    words = set(load_words(language))
    codename = generate_codename(language)
    parts = codename.split(" ")
    assert len(parts) == WORDS_PER_CODENAME == 7
    assert set(parts) <= words
    assert normalise(codename) == codename
    assert looks_like_codename(codename, language)
    assert looks_like_codename(codename)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_generates_a_different_codename_each_time(language):
    assert len({generate_codename(language) for _ in range(50)}) == 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_gives_at_least_80_bits(language):
    assert entropy_bits(language) == pytest.approx(84.0)
    assert entropy_bits(language) >= 80


def test_it_normalises_case_yo_hyphens_and_spaces():
    assert normalise("Кот  ЛЕС-река") == "кот лес река"
    assert normalise("  ЁЛКА\n\tмёд—река, дом. сад_луг ") == "елка мед река дом сад луг"
    assert normalise("Apple–PIE\r\nsky") == "apple pie sky"
    assert normalise("") == ""


def test_it_normalises_for_the_vault_the_same_whatever_was_typed():
    a = normalise_codename(normalise("кот лес река"))
    b = normalise_codename(normalise("КОТ\nлес -- Река."))
    assert a == b


@given(st.text())
def test_it_normalises_idempotently(text):
    assert normalise(normalise(text)) == normalise(text)


def test_it_tells_a_codename_from_other_text():
    codename = generate_codename("ru")
    words = codename.split(" ")
    assert looks_like_codename(codename.upper().replace(" ", "-"), "ru")
    assert not looks_like_codename(" ".join(words[:6]), "ru")
    assert not looks_like_codename(" ".join(words[:6] + ["zzzqx"]))
    assert not looks_like_codename(codename, "en")
    assert not looks_like_codename(" ".join(words + words[:1]))


def test_it_catches_a_pasted_codename_however_it_was_typed():
    codename = "кот лес река дом сад луг мост"
    for message in [
        "мой код кот лес река дом сад луг мост спасибо",
        "Кот  Лес   Река Дом Сад Луг Мост",
        "кот-лес-река-дом-сад-луг-мост",
        "КОТ ЛЕС РЕКА ДОМ САД ЛУГ МОСТ!",
        "вот:\nкот\nлес\nреки? нет: кот лес\nрека\nдом\r\nсад луг мост",
        "котлесрекадомсадлугмост",
        "кот, лес, река, дом, сад, луг, мост.",
    ]:
        assert contains_codename(message, codename), message


def test_it_catches_five_consecutive_words_of_the_codename():
    codename = "alpha bravo delta eagle falcon garden harbor"
    assert contains_codename("it was bravo delta eagle falcon garden i think", codename)
    assert contains_codename("DELTA-eagle-Falcon garden\nHarbor", codename)


def test_it_lets_through_four_words_or_unrelated_text():
    codename = "alpha bravo delta eagle falcon garden harbor"
    assert not contains_codename("alpha bravo delta eagle and then falcon", codename)
    assert not contains_codename("bravo delta eagle falcon", codename)
    assert not contains_codename("I need help with my documents", codename)
    assert not contains_codename("", codename)
    assert not contains_codename("anything", "")


def test_it_catches_its_own_generated_codenames():
    for language in LANGUAGES:
        codename = generate_codename(language)
        assert contains_codename(f"hi {codename.upper()} bye", codename)
        assert contains_codename(codename.replace(" ", "\n"), normalise_codename(codename))


def test_it_loads_each_list_once():
    assert load_words("en") is load_words("en")
    assert codenames.LANGUAGES == ("ru", "en")


def test_it_spends_twelve_random_bits_on_each_word(monkeypatch):
    words = codenames.load_words("en")
    # 84 bits whose 12-bit groups are 0, 1, 2, ... 6, lowest group first.
    number = sum(i << (12 * i) for i in range(7))
    monkeypatch.setattr(codenames.secrets, "token_bytes", lambda n: number.to_bytes(n, "big"))
    assert codenames.generate_codename("en").split() == [words[i] for i in range(7)]
    monkeypatch.setattr(codenames.secrets, "token_bytes", lambda n: b"\xff" * n)
    assert codenames.generate_codename("en").split() == [words[-1]] * 7
