"""The org recovery key as 24 words (BIP-39 English) for offline keeping.

The words encode the 32-byte secret key itself plus an 8-bit checksum, so a
mistyped word is caught before any decryption is tried. The words are shown
once by ``tropa init`` and never stored.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from mnemonic import Mnemonic

from tropa.vault.errors import BadRecoveryWords
from tropa.vault.keys import KeyPair, keypair_from_secret

WORD_COUNT = 24
_MNEMONIC = Mnemonic("english")
_WORDS = frozenset(_MNEMONIC.wordlist)


def recovery_words(keys: KeyPair) -> list[str]:
    """The 24 words that restore the org recovery key pair; show once, never store."""
    phrase: str = _MNEMONIC.to_mnemonic(keys.secret_key)
    return phrase.split(" ")


def recovery_key_from_words(words: str | Sequence[str]) -> KeyPair:
    """Restore the recovery key pair from its words, as typed or pasted.

    Case, extra spaces and line breaks do not matter. Raises
    :class:`BadRecoveryWords` for a wrong count, a word not in the list or a
    failed checksum; the message names positions, never the words.
    """
    text = words if isinstance(words, str) else " ".join(words)
    cleaned = unicodedata.normalize("NFKC", text).lower().split()
    if len(cleaned) != WORD_COUNT:
        raise BadRecoveryWords(f"expected {WORD_COUNT} words, got {len(cleaned)}")
    unknown = [str(i) for i, word in enumerate(cleaned, start=1) if word not in _WORDS]
    if unknown:
        raise BadRecoveryWords("not recovery words at position " + ", ".join(unknown))
    if not _MNEMONIC.check(" ".join(cleaned)):
        raise BadRecoveryWords("the words do not pass the checksum; check each one")
    return keypair_from_secret(bytes(_MNEMONIC.to_entropy(cleaned)))
