"""Values that only the browser keeps: a short secret sealed under a server key.

Used where the server should keep nothing at all, not even ciphertext (a new
requester's codename until they have written it down). The sealed token
carries the time it was issued, so it expires, and a random nonce, so that a
server can mark it used (storing a keyed hash of the nonce, nothing of the
secret) and refuse a copied cookie afterwards.

Token, before sealing: issued_at:8 (big-endian seconds)  nonce:16  secret
"""

from __future__ import annotations

from dataclasses import dataclass

from tropa.vault.requester import keyed_hash, random_token
from tropa.vault.sealing import open_from_browser, seal_for_browser

NONCE_SIZE = 16
_STAMP_SIZE = 8


@dataclass(frozen=True)
class BrowserValue:
    issued_at: int
    nonce: bytes
    secret: bytes


def browser_values_key(pepper: bytes) -> bytes:
    """The server key browser values are sealed under, derived from the pepper."""
    return keyed_hash(pepper, b"browser-values", b"v1")


def used_browser_value_id(pepper: bytes, nonce: bytes) -> str:
    """What a server stores to remember that a browser value was used."""
    return keyed_hash(pepper, b"browser-nonce", nonce).hex()


def seal_browser_value(key: bytes, secret: bytes, issued_at: int) -> str:
    stamp = issued_at.to_bytes(_STAMP_SIZE, "big")
    return seal_for_browser(key, stamp + random_token(NONCE_SIZE) + secret)


def open_browser_value(key: bytes, token: str) -> BrowserValue:
    """Undo :func:`seal_browser_value`; CannotOpen for anything else."""
    opened = open_from_browser(key, token)
    body = _STAMP_SIZE + NONCE_SIZE
    return BrowserValue(
        issued_at=int.from_bytes(opened[:_STAMP_SIZE], "big"),
        nonce=opened[_STAMP_SIZE:body],
        secret=opened[body:],
    )
