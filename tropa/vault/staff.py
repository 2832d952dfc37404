"""Staff key pairs: wrapped under the password at rest, held per session in use.

At rest the staff secret key is sealed with SecretBox (XSalsa20-Poly1305) under
a key that Argon2id derives from the password. The salt and the Argon2id
parameters are stored with the wrap, apart from Django's password hash, so a
later change of the default never breaks an old key.

While a staff member is logged in, the secret key is kept in the server-side
session only encrypted under a random session key that lives in the browser's
cookie. A dump of the session store alone cannot recover the key.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from nacl.bindings import sodium_pad, sodium_unpad
from nacl.exceptions import CryptoError
from nacl.pwhash import argon2id
from nacl.secret import SecretBox
from nacl.utils import random

from tropa.vault.errors import CannotOpen, WrongPassword
from tropa.vault.keys import KEY_SIZE, KeyPair, generate_keypair, keypair_from_secret

_WRAP_VERSION = 1
# Version 2 pads the secret to HELD_BLOCK bytes: the row no longer shows its length.
_HELD_VERSION = 2
HELD_BLOCK = 128
SALT_SIZE = argon2id.SALTBYTES  # 16
SESSION_KEY_SIZE = SecretBox.KEY_SIZE  # 32
# version, nonce, MAC and the 32-byte secret key
_WRAP_SIZE = 1 + SecretBox.NONCE_SIZE + SecretBox.MACBYTES + KEY_SIZE

# A tampered row must not make a login spin for hours or allocate terabytes.
_MAX_OPSLIMIT = 4 * argon2id.OPSLIMIT_SENSITIVE
_MAX_MEMLIMIT = 4 * argon2id.MEMLIMIT_SENSITIVE


def _limits_in_range(opslimit: int, memlimit: int) -> bool:
    return (
        argon2id.OPSLIMIT_MIN <= opslimit <= _MAX_OPSLIMIT
        and argon2id.MEMLIMIT_MIN <= memlimit <= _MAX_MEMLIMIT
    )


@dataclass(frozen=True)
class KdfLimits:
    """Argon2id cost: passes over memory (``opslimit``) and bytes of memory."""

    opslimit: int
    memlimit: int

    def __post_init__(self) -> None:
        if not _limits_in_range(self.opslimit, self.memlimit):
            raise ValueError("Argon2id limits out of the supported range")


KDF_INTERACTIVE = KdfLimits(argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE)
KDF_MODERATE = KdfLimits(argon2id.OPSLIMIT_MODERATE, argon2id.MEMLIMIT_MODERATE)
KDF_SENSITIVE = KdfLimits(argon2id.OPSLIMIT_SENSITIVE, argon2id.MEMLIMIT_SENSITIVE)
# libsodium's minimum: only tests may use it, it protects nothing.
KDF_FAST_FOR_TESTS = KdfLimits(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN)


@dataclass(frozen=True)
class WrappedStaffKey:
    """Everything the database stores for one staff key pair; nothing here is secret alone."""

    public_key: bytes
    wrapped_secret: bytes
    salt: bytes
    opslimit: int
    memlimit: int


def create_staff_key(password: str, limits: KdfLimits) -> tuple[KeyPair, WrappedStaffKey]:
    """Create a staff key pair and wrap its secret under ``password``."""
    keys = generate_keypair()
    return keys, rewrap_staff_key(keys, password, limits)


def rewrap_staff_key(keys: KeyPair, new_password: str, limits: KdfLimits) -> WrappedStaffKey:
    """Wrap an existing pair under a new password and fresh salt (password change).

    The key pair stays the same, so every case key sealed to it stays readable.
    """
    salt = random(SALT_SIZE)
    box = SecretBox(_derive(new_password, salt, limits.opslimit, limits.memlimit))
    wrapped = bytes([_WRAP_VERSION]) + bytes(box.encrypt(keys.secret_key))
    return WrappedStaffKey(
        public_key=keys.public_key,
        wrapped_secret=wrapped,
        salt=salt,
        opslimit=limits.opslimit,
        memlimit=limits.memlimit,
    )


def unwrap_staff_key(wrapped: WrappedStaffKey, password: str) -> KeyPair:
    """Recover the staff key pair with the password (at login).

    Raises :class:`WrongPassword` when the password (or the stored wrap) is
    wrong, and :class:`CannotOpen` when the stored row is malformed or the
    secret does not belong to the stored public key.
    """
    if (
        len(wrapped.salt) != SALT_SIZE
        or not _limits_in_range(wrapped.opslimit, wrapped.memlimit)
        or len(wrapped.wrapped_secret) != _WRAP_SIZE
        or wrapped.wrapped_secret[:1] != bytes([_WRAP_VERSION])
    ):
        raise CannotOpen("malformed wrapped staff key")
    box = SecretBox(_derive(password, wrapped.salt, wrapped.opslimit, wrapped.memlimit))
    try:
        secret = box.decrypt(wrapped.wrapped_secret[1:])
    except CryptoError:
        raise WrongPassword("wrong password") from None
    return _pair_matching(secret, wrapped.public_key)


def hold_for_session(keys: KeyPair) -> tuple[str, str]:
    """Encrypt the staff secret key for one login session.

    Returns ``(cookie_token, held)``: ``cookie_token`` is a fresh random key
    (URL-safe base64) for an HttpOnly cookie; ``held`` is the secret key
    encrypted under it (base64 text) for the server-side session. Neither
    alone yields the key.
    """
    return hold_secret_for_session(keys.secret_key)


def release_from_session(cookie_token: str, held: str) -> KeyPair:
    """Recover the staff key pair from the cookie token and the session value.

    Raises :class:`CannotOpen` for anything malformed, mismatched or altered.
    """
    secret = release_secret_from_session(cookie_token, held)
    if len(secret) != KEY_SIZE:
        raise CannotOpen("cannot release the session key")
    return keypair_from_secret(secret)


def hold_secret_for_session(secret: bytes) -> tuple[str, str]:
    """The same split for any short secret (a requester's codename, say)."""
    session_key = random(SESSION_KEY_SIZE)
    padded = sodium_pad(secret, HELD_BLOCK)
    sealed = bytes([_HELD_VERSION]) + bytes(SecretBox(session_key).encrypt(padded))
    cookie_token = base64.urlsafe_b64encode(session_key).decode("ascii")
    return cookie_token, base64.b64encode(sealed).decode("ascii")


def release_secret_from_session(cookie_token: str, held: str) -> bytes:
    """Undo :func:`hold_secret_for_session`; :class:`CannotOpen` on any mismatch."""
    session_key = _strict_b64decode(cookie_token, urlsafe=True)
    sealed = _strict_b64decode(held, urlsafe=False)
    if len(session_key) != SESSION_KEY_SIZE or sealed[:1] != bytes([_HELD_VERSION]):
        raise CannotOpen("cannot release the session key")
    try:
        secret: bytes = sodium_unpad(SecretBox(session_key).decrypt(sealed[1:]), HELD_BLOCK)
    except (CryptoError, ValueError):
        raise CannotOpen("cannot release the session key") from None
    return secret


def _derive(password: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    # The password is used as typed (UTF-8, no normalisation), exactly as
    # Django's password hashers see it, so both accept the same input.
    key: bytes = argon2id.kdf(
        SecretBox.KEY_SIZE,
        password.encode("utf-8"),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )
    return key


def _pair_matching(secret: bytes, public_key: bytes) -> KeyPair:
    try:
        return KeyPair(public_key=public_key, secret_key=secret)
    except ValueError:
        raise CannotOpen("secret does not belong to the stored public key") from None


def _strict_b64decode(text: str, *, urlsafe: bool) -> bytes:
    """Decode canonical base64 only; anything else is :class:`CannotOpen`."""
    try:
        raw = text.encode("ascii")
        data = base64.b64decode(raw, altchars=b"-_" if urlsafe else None, validate=True)
    except (UnicodeError, binascii.Error, ValueError):
        raise CannotOpen("malformed token") from None
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    if encode(data) != raw:
        raise CannotOpen("malformed token")
    return data
