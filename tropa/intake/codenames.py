"""Codenames: a requester's passphrase of seven common words, shown once.

Each word list holds 4096 words (12 bits), so a codename of seven words drawn
with ``secrets`` has 84 bits of entropy. The lists and how they were built
are described in ``wordlists/README.md`` (built by ``scripts/make_wordlists.py``).
The vault's ``normalise_codename`` is applied by the caller after ``normalise``.
"""

from __future__ import annotations

import math
import re
import secrets
from functools import cache
from importlib import resources

from tropa.core.words import normalise

LANGUAGES = ("ru", "en")  # the word lists


def list_for(language: str) -> str:
    """Which word list a requester writing in `language` gets: Russian words
    for Russian, English words (Latin letters, short and common) for every
    other language, so that anyone who can type Latin letters can write the
    codename down and type it back (docs/intake.md)."""
    return "ru" if language == "ru" else "en"


WORDS_PER_CODENAME = 7
LIST_SIZE = 4096
# Partial pastes this long (or the whole codename, if shorter) count as a leak.
LEAK_MIN_WORDS = 5

_NOT_LETTERS = re.compile(r"[\W\d_]+")


@cache
def load_words(language: str) -> tuple[str, ...]:
    """The word list for ``language`` ("ru" or "en"), in alphabetical order."""
    if language not in LANGUAGES:
        raise ValueError(f"no codename word list for language {language!r}")
    text = resources.files("tropa.intake.wordlists").joinpath(f"{language}.txt")
    words = tuple(text.read_text(encoding="utf-8").split())
    if len(words) != LIST_SIZE or len(set(words)) != LIST_SIZE:
        raise RuntimeError(f"{language}.txt must hold {LIST_SIZE} distinct words")
    return words


BITS_PER_WORD = 12


@cache
def _word_set(language: str) -> frozenset[str]:
    return frozenset(load_words(language))


def generate_codename(language: str) -> str:
    """Seven words from the ``language`` list, uniformly at random, joined by spaces.

    One read of the system's random source gives all 84 bits: each word is 12
    bits of it (the lists hold exactly 4,096 words, so there is no bias).
    """
    words = load_words(language)
    assert len(words) == 1 << BITS_PER_WORD
    number = int.from_bytes(secrets.token_bytes(11), "big")  # 88 bits, 84 used
    mask = (1 << BITS_PER_WORD) - 1
    return " ".join(
        words[(number >> (BITS_PER_WORD * i)) & mask] for i in range(WORDS_PER_CODENAME)
    )


def entropy_bits(language: str) -> float:
    """Bits of entropy of a generated codename (84 for 7 words from 4096)."""
    return WORDS_PER_CODENAME * math.log2(len(load_words(language)))


def looks_like_codename(text: str, language: str | None = None) -> bool:
    """True when ``text`` is seven words all from one list (``language``'s, or any)."""
    words = normalise(text).split(" ")
    if len(words) != WORDS_PER_CODENAME:
        return False
    languages = LANGUAGES if language is None else (language,)
    return any(_word_set(lang).issuperset(words) for lang in languages)


def contains_codename(message: str, codename: str) -> bool:
    """True when ``message`` gives away ``codename`` (to refuse such a message).

    Caught whatever the case, spacing, hyphens, punctuation or line breaks:
    the whole codename, or any ``LEAK_MIN_WORDS`` consecutive words of it, even
    run together with no space between them.
    """
    words = [w for w in _NOT_LETTERS.split(normalise(codename)) if w]
    if not words:
        return False
    letters = _NOT_LETTERS.sub("", normalise(message))
    run = min(LEAK_MIN_WORDS, len(words))
    return any("".join(words[i : i + run]) in letters for i in range(len(words) - run + 1))
