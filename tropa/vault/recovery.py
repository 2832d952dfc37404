"""The org recovery key as 24 words (BIP-39 English) for offline keeping.

The words encode the 32-byte secret key itself plus an 8-bit checksum, so a
mistyped word is caught before any decryption is tried. The words are shown
once by ``tropa init`` and never stored.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import shamir_mnemonic
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


# The recovery key split among trustees (SLIP-39, shamir-mnemonic): any
# `threshold` of the `shares` restore it, fewer reveal nothing about it. Each
# share is 33 words with its own checksum; a share from another split, or a
# share typed twice, is refused.
SHARE_WORDS = 33
MAX_SHARES = 16


def split_recovery_key(keys: KeyPair, shares: int, threshold: int) -> list[str]:
    """`shares` mnemonics of which any `threshold` restore the key pair."""
    if not 1 < threshold <= shares <= MAX_SHARES:
        raise ValueError(f"need 2 <= threshold <= shares <= {MAX_SHARES}")
    groups = shamir_mnemonic.generate_mnemonics(
        group_threshold=1, groups=[(threshold, shares)], master_secret=keys.secret_key
    )
    return list(groups[0])


def is_share(text: str) -> bool:
    """Whether typed words look like one share (33 words) rather than the 24 words."""
    return len(unicodedata.normalize("NFKC", text).split()) == SHARE_WORDS


def shares_needed(shares: Sequence[str]) -> int:
    """How many shares the split these come from needs (from the first one).

    Raises :class:`BadRecoveryWords` naming the share's position, never its words.
    """
    return int(_parse(shares)[0].member_threshold)


def _parse(shares: Sequence[str]) -> list[shamir_mnemonic.Share]:
    parsed = []
    for position, text in enumerate(shares, start=1):
        cleaned = " ".join(unicodedata.normalize("NFKC", text).lower().split())
        try:
            parsed.append(shamir_mnemonic.Share.from_mnemonic(cleaned))
        except shamir_mnemonic.MnemonicError as error:
            raise BadRecoveryWords(f"share {position} is mistyped (check each word)") from error
    if not parsed:
        raise BadRecoveryWords("no share given")
    for position, share in enumerate(parsed, start=1):
        if share.identifier != parsed[0].identifier:
            raise BadRecoveryWords(f"share {position} belongs to another split")
        if share.index in {other.index for other in parsed[: position - 1]}:
            raise BadRecoveryWords(f"share {position} was given twice")
    return parsed


def recovery_key_from_shares(shares: Sequence[str]) -> KeyPair:
    """Restore the recovery key pair from enough shares of one split.

    Raises :class:`BadRecoveryWords` when a share is mistyped, belongs to
    another split, is given twice, or when there are too few; the message
    names positions and counts, never words.
    """
    parsed = _parse(shares)
    needed = parsed[0].member_threshold
    if len(parsed) < needed:
        raise BadRecoveryWords(f"{needed} shares are needed, {len(parsed)} given")
    try:
        secret = shamir_mnemonic.combine_mnemonics([share.mnemonic() for share in parsed])
    except (shamir_mnemonic.MnemonicError, ValueError):
        raise BadRecoveryWords("these shares do not restore a key") from None
    return keypair_from_secret(bytes(secret))
