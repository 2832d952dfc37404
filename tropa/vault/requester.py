"""Requester keys and ids from a codename, plus small keyed primitives.

A codename is system-generated with at least 80 bits of entropy, so a fast
keyed BLAKE2b under the instance pepper is enough: no slow KDF on the intake
path. Without the pepper (kept outside the database), a seized database
cannot link a lookup id to a codename or derive a requester's key.
"""

from __future__ import annotations

import hmac
import re
import unicodedata

from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PrivateKey
from nacl.utils import random

from tropa.vault.keys import KeyPair

PEPPER_MIN_SIZE = 32
PEPPER_MAX_SIZE = 64  # BLAKE2b's key limit
_PERSON_LOOKUP = b"tropa-lookup"
_PERSON_KEY = b"tropa-rqkey"
_PERSON_SERVICE = b"tropa-service"
# keyed_hash uses its own salt, so no purpose can reproduce the two above.
_SALT_KEYED_HASH = b"tropa-keyed-hash"
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def normalise_codename(codename: str) -> str:
    """The canonical form of a codename as a person may type it.

    NFKC, case-folded, runs of spaces and dashes become one hyphen, ends
    stripped: ``"Alpha  Beta"`` and ``"alpha-beta"`` are the same codename.
    """
    folded = unicodedata.normalize("NFKC", codename).casefold()
    return _SEPARATORS.sub("-", folded).strip("-")


def requester_lookup_id(pepper: bytes, codename: str) -> bytes:
    """The 32-byte id under which a requester's records are found (not their key)."""
    return _blake2b(pepper, _PERSON_LOOKUP, b"", _codename_bytes(codename))


def requester_keypair(pepper: bytes, codename: str) -> KeyPair:
    """The requester's X25519 key pair, re-derived from the codename at each visit."""
    seed = _blake2b(pepper, _PERSON_KEY, b"", _codename_bytes(codename))
    private = PrivateKey.from_seed(seed)
    return KeyPair(public_key=bytes(private.public_key), secret_key=bytes(private))


def service_keypair(pepper: bytes, purpose: bytes) -> KeyPair:
    """A key pair the running server can always re-derive, for one ``purpose``.

    Only for what must be opened with nobody signed in (a Telegram message
    waiting to be sent) and deleted once done: whoever has the pepper has
    this key too. Never for anything kept.
    """
    if not 1 <= len(purpose) <= 64:
        raise ValueError("purpose must be 1 to 64 bytes")
    seed = _blake2b(pepper, _PERSON_SERVICE, b"", purpose)
    private = PrivateKey.from_seed(seed)
    return KeyPair(public_key=bytes(private.public_key), secret_key=bytes(private))


def keyed_hash(pepper: bytes, purpose: bytes, value: bytes) -> bytes:
    """A 32-byte keyed BLAKE2b of ``value`` for one ``purpose`` (1 to 16 bytes).

    For storing identifiers (such as a Telegram user id) that must be matched
    but not read back. Different purposes give unrelated results.
    """
    if not 1 <= len(purpose) <= 16:
        raise ValueError("purpose must be 1 to 16 bytes")
    return _blake2b(pepper, purpose, _SALT_KEYED_HASH, value)


def constant_time_equal(a: bytes, b: bytes) -> bool:
    """Compare secrets (ids, tokens, MACs) without leaking where they differ."""
    return hmac.compare_digest(a, b)


def random_token(nbytes: int) -> bytes:
    """``nbytes`` random bytes from libsodium, for key material and tokens."""
    if nbytes < 1:
        raise ValueError("nbytes must be positive")
    token: bytes = random(nbytes)
    return token


def _codename_bytes(codename: str) -> bytes:
    normalised = normalise_codename(codename)
    if not normalised:
        raise ValueError("empty codename")
    return normalised.encode("utf-8")


def _blake2b(pepper: bytes, person: bytes, salt: bytes, data: bytes) -> bytes:
    if not PEPPER_MIN_SIZE <= len(pepper) <= PEPPER_MAX_SIZE:
        raise ValueError("the pepper must be 32 to 64 bytes")
    digest: bytes = blake2b(
        data, digest_size=32, key=pepper, salt=salt, person=person, encoder=RawEncoder
    )
    return digest
