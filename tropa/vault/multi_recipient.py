"""One secret for several recipients, such as a reply to a requester.

A random data key encrypts the body once (XChaCha20-Poly1305-IETF); the data
key is sealed to each recipient. Removing a recipient from the list means the
next blob is closed to them; old blobs stay as they were.

Format, version 1 (integers big-endian)::

    version:1  count:2  count * (key_id:8  length:2  sealed_data_key:length)  body

``key_id`` is BLAKE2b-8 of the recipient's public key; ``body`` is nonce:24 and
the AEAD ciphertext of the padded plaintext, with everything before the body as
associated data, so no slot can be added, removed or altered unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence

from nacl.bindings import sodium_pad
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import Aead
from nacl.utils import random

from tropa.vault.errors import CannotOpen
from tropa.vault.keys import KEY_SIZE, KeyPair, key_id
from tropa.vault.sealing import PAD_BLOCK, decode_text, unpad

_VERSION = 1
_KEY_ID_SIZE = 8
_MAX_RECIPIENTS = 0xFFFF


def seal_to_many(plaintext: bytes, recipients: Sequence[bytes]) -> bytes:
    """Encrypt ``plaintext`` so that each public key in ``recipients`` can open it.

    Duplicate recipients are sealed once. Raises ``ValueError`` for an empty
    list or a key that is not 32 bytes.
    """
    unique = list(dict.fromkeys(bytes(r) for r in recipients))
    if not unique or len(unique) > _MAX_RECIPIENTS:
        raise ValueError("seal_to_many needs 1 to 65535 recipients")
    if any(len(r) != KEY_SIZE for r in unique):
        raise ValueError("X25519 public keys are 32 bytes")
    data_key = random(Aead.KEY_SIZE)
    header = bytearray([_VERSION]) + len(unique).to_bytes(2, "big")
    for public_key in unique:
        sealed = bytes(SealedBox(PublicKey(public_key)).encrypt(data_key))
        header += key_id(public_key) + len(sealed).to_bytes(2, "big") + sealed
    body = Aead(data_key).encrypt(sodium_pad(bytes(plaintext), PAD_BLOCK), bytes(header))
    return bytes(header) + bytes(body)


def open_from_many(keys: KeyPair, blob: bytes) -> bytes:
    """Decrypt a :func:`seal_to_many` blob with one recipient's key pair.

    Raises :class:`CannotOpen` if ``keys`` is not a recipient, or the blob is
    altered, truncated or malformed.
    """
    blob = bytes(blob)
    slots, body_start = _parse_header(blob)
    if len(blob) - body_start < Aead.NONCE_SIZE + Aead.MACBYTES:
        raise CannotOpen("blob is truncated")
    mine = key_id(keys.public_key)
    box = SealedBox(PrivateKey(keys.secret_key))
    for slot_id, sealed in slots:
        if slot_id != mine:
            continue
        try:
            data_key = box.decrypt(sealed)
            if len(data_key) != Aead.KEY_SIZE:
                continue  # sealed by someone else: anyone can seal to a public key
            padded = Aead(data_key).decrypt(blob[body_start:], blob[:body_start])
        except CryptoError:
            continue  # a colliding key id, or tampering: try any other slot
        return unpad(padded)
    raise CannotOpen("cannot open this blob with this key")


def seal_requester_reply(text: str, requester_public: bytes, case_public: bytes) -> bytes:
    """Encrypt a staff reply so both the requester and the case team can read it."""
    return seal_to_many(text.encode("utf-8"), [requester_public, case_public])


def open_requester_reply(keys: KeyPair, blob: bytes) -> str:
    """Read a reply with the requester's key pair or the case key pair."""
    return decode_text(open_from_many(keys, blob))


def _parse_header(blob: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    """Split the header into ``(key_id, sealed_key)`` slots; return them and the body offset."""
    reader = _Reader(blob)
    if reader.take(1) != bytes([_VERSION]):
        raise CannotOpen("unknown blob format")
    count = int.from_bytes(reader.take(2), "big")
    if count == 0:
        raise CannotOpen("blob has no recipients")
    slots = []
    for _ in range(count):
        slot_id = reader.take(_KEY_ID_SIZE)
        length = int.from_bytes(reader.take(2), "big")
        slots.append((slot_id, reader.take(length)))
    return slots, reader.offset


class _Reader:
    """Bounds-checked reading: running past the end is :class:`CannotOpen`."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def take(self, size: int) -> bytes:
        end = self.offset + size
        if end > len(self.data):
            raise CannotOpen("blob is truncated")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk
