from __future__ import annotations

import pytest
from mnemonic import Mnemonic

from tropa.vault import (
    BadRecoveryWords,
    generate_keypair,
    recovery_key_from_words,
    recovery_words,
)

WORDLIST = Mnemonic("english").wordlist
KEYS = generate_keypair()
WORDS = recovery_words(KEYS)


def test_it_gives_24_list_words() -> None:
    assert len(WORDS) == 24
    assert all(word in WORDLIST for word in WORDS)


def test_it_restores_the_key_from_its_words() -> None:
    assert recovery_key_from_words(WORDS) == KEYS
    assert recovery_key_from_words(" ".join(WORDS)) == KEYS


def test_it_tolerates_case_spaces_and_line_breaks() -> None:
    typed = (
        "  "
        + "\n".join(
            "   ".join(
                word.upper() if i % 2 else word.title() for i, word in enumerate(WORDS[n : n + 6])
            )
            for n in range(0, 24, 6)
        )
        + "\n\t"
    )
    assert recovery_key_from_words(typed) == KEYS
    assert recovery_key_from_words([f" {w.upper()}\n" for w in WORDS]) == KEYS


def test_it_refuses_one_changed_word() -> None:
    # Every replacement of one word by another list word either fails the
    # checksum or (rarely, 1 in 256) yields a different key, never this one.
    refused = 0
    for replacement in WORDLIST[:64]:
        changed = [replacement if i == 5 else word for i, word in enumerate(WORDS)]
        if changed == WORDS:
            continue
        try:
            assert recovery_key_from_words(changed) != KEYS
        except BadRecoveryWords:
            refused += 1
    assert refused >= 50


def test_it_refuses_the_last_word_swapped_for_a_wrong_checksum() -> None:
    # The last word carries the checksum: only one of its 8 checksum bits' values fits.
    wrong = next(
        w
        for w in WORDLIST
        if w != WORDS[-1] and not Mnemonic("english").check(" ".join([*WORDS[:-1], w]))
    )
    with pytest.raises(BadRecoveryWords):
        recovery_key_from_words([*WORDS[:-1], wrong])


@pytest.mark.parametrize("count", [0, 1, 12, 23, 25])
def test_it_refuses_the_wrong_number_of_words(count: int) -> None:
    with pytest.raises(BadRecoveryWords):
        recovery_key_from_words((WORDS * 2)[:count])


def test_it_refuses_unknown_words_without_echoing_them() -> None:
    typo = [*WORDS[:3], "zzzyzx", *WORDS[4:]]
    with pytest.raises(BadRecoveryWords) as caught:
        recovery_key_from_words(typo)
    # the fixed words of the message, nothing typed (a recovery word can be
    # one of them: "position" is a BIP-39 word)
    assert str(caught.value) == "not recovery words at position 4"
