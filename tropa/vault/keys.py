"""X25519 key pairs: the unit every other vault module seals to and opens with."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from nacl.bindings import crypto_scalarmult_base
from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PrivateKey

KEY_SIZE = 32


@dataclass(frozen=True)
class KeyPair:
    """An X25519 key pair (staff, case, intake team, org recovery or requester).

    The secret key is left out of ``repr`` so it never lands in a log or a
    traceback. Construction checks that the two halves belong together, so a
    pair whose public key was swapped in storage cannot be built.
    """

    public_key: bytes
    secret_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.public_key) != KEY_SIZE or len(self.secret_key) != KEY_SIZE:
            raise ValueError("X25519 keys are 32 bytes")
        if not hmac.compare_digest(crypto_scalarmult_base(self.secret_key), self.public_key):
            raise ValueError("public key does not match secret key")


def generate_keypair() -> KeyPair:
    """Create a fresh random X25519 key pair from the OS random source."""
    return _from_private(PrivateKey.generate())


def keypair_from_secret(secret: bytes) -> KeyPair:
    """Rebuild the pair from its 32-byte secret key (after unwrapping or recovery)."""
    if len(secret) != KEY_SIZE:
        raise ValueError("X25519 secret keys are 32 bytes")
    return _from_private(PrivateKey(secret))


def fingerprint(public_key: bytes) -> str:
    """A short hex id (BLAKE2b, 8 bytes) of a public key, for display and lookups.

    Only for telling keys apart; never a security check on its own.
    """
    return blake2b(bytes(public_key), digest_size=8).decode("ascii")


def key_id(public_key: bytes) -> bytes:
    """The raw 8 bytes behind :func:`fingerprint`, used inside binary formats."""
    return bytes(blake2b(bytes(public_key), digest_size=8, encoder=RawEncoder))


def _from_private(private: PrivateKey) -> KeyPair:
    return KeyPair(public_key=bytes(private.public_key), secret_key=bytes(private))
