"""Backups as one encrypted stream, readable only with the recovery key.

Format, version 1::

    magic:13  key_length:2  sealed_file_key  secretstream frames ...  digest:32

The content (a tar of the database snapshot and the data directory's
secrets) is encrypted with a fresh file key in authenticated 64 KiB chunks
(tropa/vault/files.py: truncation, reordering and tampering detected); the
file key is sealed to the organisation's recovery public key, whose private
half is kept offline (24 words, or shares held by trustees). A seized backup
is therefore as closed as the database it holds, and no more secrets need
keeping. The trailing BLAKE2b digest of everything before it lets
`tropa backup --verify` catch a truncated or damaged file without the key;
with the key, every chunk's MAC is checked too. Memory stays at one chunk
whatever the size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from tropa.vault.errors import CannotOpen
from tropa.vault.files import FileSealer, decrypt_stream
from tropa.vault.keys import KeyPair
from tropa.vault.sealing import open_sealed, seal_to

MAGIC = b"TROPA-BACKUP\x01"
DIGEST_SIZE = 32


def _digest() -> hashlib.blake2b:
    return hashlib.blake2b(digest_size=DIGEST_SIZE, person=b"tropa-backup")


class BackupWriter:
    """A file-like sink: what is written is encrypted into `out` as it comes."""

    def __init__(self, out: BinaryIO, recovery_public: bytes) -> None:
        self._out = out
        self._hash = _digest()
        self._sealer = FileSealer()
        sealed = seal_to(recovery_public, self._sealer.file_key)
        self._emit(MAGIC + len(sealed).to_bytes(2, "big") + sealed)

    def _emit(self, data: bytes) -> None:
        self._hash.update(data)
        self._out.write(data)

    def write(self, data: bytes) -> int:
        for frame in self._sealer.push(bytes(data)):
            self._emit(frame)
        return len(data)

    def close(self) -> None:
        for frame in self._sealer.finish():
            self._emit(frame)
        self._out.write(self._hash.digest())


def intact(read: Callable[[int], bytes]) -> bool:
    """Whether a backup is whole and unchanged since written (no key needed)."""
    hasher, tail = _digest(), b""
    head = read(len(MAGIC))
    if head != MAGIC:
        return False
    hasher.update(head)
    while True:
        block = read(1024 * 1024)
        if not block:
            break
        data = tail + block
        hasher.update(data[:-DIGEST_SIZE])
        tail = data[-DIGEST_SIZE:]
    return len(tail) == DIGEST_SIZE and hasher.digest() == tail


def open_backup(read: Callable[[int], bytes], recovery: KeyPair) -> Iterator[bytes]:
    """The backup's plaintext, chunk by chunk. Raises :class:`CannotOpen` (while
    iterating) on another key, tampering or truncation: discard what came
    before on failure."""
    if read(len(MAGIC)) != MAGIC:
        raise CannotOpen("not a Tropa backup")
    length = int.from_bytes(read(2), "big")
    file_key = open_sealed(recovery, read(length))
    pending = b""

    def without_digest(size: int) -> bytes:
        # The stream reader must not see the 32-byte digest at the end.
        nonlocal pending
        while len(pending) < size + DIGEST_SIZE:
            more = read(max(size, 1024 * 1024))
            if not more:
                break
            pending += more
        usable = max(0, len(pending) - DIGEST_SIZE)
        taken, pending = pending[: min(size, usable)], pending[min(size, usable) :]
        return taken

    yield from decrypt_stream(file_key, without_digest)
    if len(pending) != DIGEST_SIZE:
        raise CannotOpen("backup is truncated")
