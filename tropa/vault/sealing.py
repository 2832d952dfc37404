"""Sealing to public keys: grants of secret keys, and data for one key.

A sealed box (X25519 + XSalsa20-Poly1305, anonymous sender) lets anyone holding
a public key encrypt to it, so a requester's message is encrypted the moment it
arrives, with no staff member online. Each format starts with a version byte.

Data sealed with :func:`seal_to` is padded to a multiple of :data:`PAD_BLOCK`
bytes so a seized database shows lengths only roughly.
"""

from __future__ import annotations

import base64
import hmac

from nacl.bindings import sodium_pad, sodium_unpad
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from tropa.vault.errors import CannotOpen
from tropa.vault.keys import KEY_SIZE, KeyPair, keypair_from_secret

_SEALED_KEY_VERSION = 1
_SEALED_DATA_VERSION = 1
PAD_BLOCK = 64


# --- secret keys (grants) ---------------------------------------------------


def seal_secret_key(recipient_public: bytes, keys: KeyPair) -> bytes:
    """Seal the secret key of ``keys`` to ``recipient_public``: one grant.

    Used for a case key sealed to a staff member, the intake team key or the
    org recovery key, and for the intake key sealed to each coordinator.
    Revoking the grant means deleting this ciphertext.
    """
    return bytes([_SEALED_KEY_VERSION]) + _seal_raw(recipient_public, keys.secret_key)


def open_sealed_secret_key(holder: KeyPair, sealed: bytes, expected_public: bytes) -> KeyPair:
    """Open a grant with the holder's key pair.

    Raises :class:`CannotOpen` if it was not sealed to ``holder``, was altered,
    or holds a key other than the one whose public key is ``expected_public``
    (so a substituted key cannot be slipped in through the database).
    """
    if sealed[:1] != bytes([_SEALED_KEY_VERSION]):
        raise CannotOpen("unknown sealed key format")
    secret = _open_raw(holder, sealed[1:])
    if len(secret) != KEY_SIZE:
        raise CannotOpen("sealed key has the wrong length")
    keys = keypair_from_secret(secret)
    if not hmac.compare_digest(keys.public_key, bytes(expected_public)):
        raise CannotOpen("sealed key is not the expected key")
    return keys


def seal_case_key_for(recipient_public: bytes, case_keys: KeyPair) -> bytes:
    """Grant access to a case: seal the case secret key to a staff or team key."""
    return seal_secret_key(recipient_public, case_keys)


def open_case_key(holder: KeyPair, sealed: bytes, case_public: bytes) -> KeyPair:
    """Open a case key grant; :class:`CannotOpen` unless it is that case's key."""
    return open_sealed_secret_key(holder, sealed, case_public)


# --- data to one key --------------------------------------------------------


def seal_to(public_key: bytes, plaintext: bytes) -> bytes:
    """Encrypt bytes so only the holder of ``public_key``'s secret can read them."""
    padded = sodium_pad(bytes(plaintext), PAD_BLOCK)
    return bytes([_SEALED_DATA_VERSION]) + _seal_raw(public_key, padded)


def open_sealed(keys: KeyPair, ciphertext: bytes) -> bytes:
    """Decrypt what :func:`seal_to` sealed to ``keys``; :class:`CannotOpen` otherwise."""
    if ciphertext[:1] != bytes([_SEALED_DATA_VERSION]):
        raise CannotOpen("unknown sealed data format")
    return unpad(_open_raw(keys, ciphertext[1:]))


def seal_text(public_key: bytes, text: str) -> bytes:
    """Encrypt text (UTF-8) to one public key."""
    return seal_to(public_key, text.encode("utf-8"))


def open_text(keys: KeyPair, ciphertext: bytes) -> str:
    """Decrypt text sealed with :func:`seal_text`."""
    return decode_text(open_sealed(keys, ciphertext))


def seal_case_message(case_public: bytes, text: str) -> bytes:
    """Encrypt anything written about a case (message, note, answer) to the case key."""
    return seal_text(case_public, text)


def open_case_message(case_keys: KeyPair, ciphertext: bytes) -> str:
    """Read a message sealed to a case with the opened case key pair."""
    return open_text(case_keys, ciphertext)


# --- helpers shared with the other vault modules ----------------------------


def unpad(padded: bytes) -> bytes:
    """Remove :data:`PAD_BLOCK` padding; :class:`CannotOpen` if it is malformed."""
    try:
        return bytes(sodium_unpad(padded, PAD_BLOCK))
    except CryptoError:
        raise CannotOpen("bad padding") from None


def decode_text(data: bytes) -> str:
    """UTF-8 decode authenticated plaintext; :class:`CannotOpen` if it is not text."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CannotOpen("plaintext is not text") from None


def _seal_raw(public_key: bytes, plaintext: bytes) -> bytes:
    if len(public_key) != KEY_SIZE:
        raise ValueError("X25519 public keys are 32 bytes")
    return bytes(SealedBox(PublicKey(bytes(public_key))).encrypt(plaintext))


def _open_raw(keys: KeyPair, ciphertext: bytes) -> bytes:
    try:
        return bytes(SealedBox(PrivateKey(keys.secret_key)).decrypt(bytes(ciphertext)))
    except CryptoError:
        raise CannotOpen("cannot open sealed box") from None


def seal_for_browser(key: bytes, plaintext: bytes) -> str:
    """Encrypt a short secret that only the browser will keep (a cookie value).

    ``key`` is a 32-byte server key. The result is URL-safe base64 text. Used
    where the server should keep nothing at all, not even ciphertext.
    """
    if len(key) != SecretBox.KEY_SIZE:
        raise ValueError("browser keys are 32 bytes")
    sealed = bytes(SecretBox(key).encrypt(plaintext))
    return base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")


def open_from_browser(key: bytes, token: str) -> bytes:
    """Undo :func:`seal_for_browser`; :class:`CannotOpen` for anything else."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        opened: bytes = SecretBox(key).decrypt(sealed)
    except (ValueError, TypeError, CryptoError):
        raise CannotOpen("cannot open the browser's value") from None
    return opened
