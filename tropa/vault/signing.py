"""Signatures on published statistics (Ed25519).

The release key is an ordinary X25519 key pair kept in a keyring like any
other (sealed to the staff who publish and to the recovery key); its Ed25519
signing key is derived from that pair's secret with a keyed BLAKE2b, so there
is one secret to keep and one way to recover it. Anyone can check a release
with the verify key alone: `verify_release`, or any Ed25519 library.
"""

from __future__ import annotations

from nacl.encoding import RawEncoder
from nacl.exceptions import BadSignatureError
from nacl.hash import blake2b
from nacl.signing import SigningKey, VerifyKey

from tropa.vault.keys import KeyPair

SIGNATURE_SIZE = 64
_PERSON = b"tropa-release"


def _signing_key(keys: KeyPair) -> SigningKey:
    seed = blake2b(keys.secret_key, digest_size=32, person=_PERSON, encoder=RawEncoder)
    return SigningKey(seed)


def release_verify_key(keys: KeyPair) -> bytes:
    """The public half anyone checks a release with (32 bytes)."""
    return bytes(_signing_key(keys).verify_key)


def sign_release(keys: KeyPair, message: bytes) -> bytes:
    """A detached signature (64 bytes) of `message`."""
    return bytes(_signing_key(keys).sign(message).signature)


def verify_release(verify_key: bytes, message: bytes, signature: bytes) -> bool:
    """True only if `signature` is the release key's signature of `message`."""
    if len(verify_key) != 32 or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        VerifyKey(verify_key).verify(message, signature)
    except BadSignatureError:
        return False
    return True
