"""Files: a random key per file, streamed in authenticated chunks (secretstream).

Format, version 1::

    version:1  header:24  chunk ... chunk(final)

Every chunk but the last holds :data:`CHUNK_SIZE` plaintext bytes plus 17
bytes of tag and MAC; the last carries ``TAG_FINAL``, so truncation, reordering,
dropped or appended chunks are all detected. Memory use is one chunk, whatever
the file size; plaintext is never written anywhere by this module.

The file key is then sealed to the case public key with :func:`seal_file_key`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import nacl.bindings as sodium
from nacl.exceptions import CryptoError

from tropa.vault.errors import CannotOpen
from tropa.vault.keys import KeyPair
from tropa.vault.sealing import open_sealed, seal_to

CHUNK_SIZE = 64 * 1024
FILE_KEY_SIZE = sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES  # 32
_VERSION = 1
_HEADER_SIZE = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES  # 24
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES  # 17: tag and MAC
_FRAME_SIZE = CHUNK_SIZE + _ABYTES
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL


def encrypt_stream(read: Callable[[int], bytes], write: Callable[[bytes], object]) -> bytes:
    """Encrypt everything ``read`` yields into ``write``; return the new file key.

    ``read(n)`` is called until it returns ``b""``, as with a file's ``read``.
    An empty input still produces a valid stream (one empty final chunk).
    """
    file_key: bytes = sodium.crypto_secretstream_xchacha20poly1305_keygen()
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header: bytes = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, file_key)
    write(bytes([_VERSION]) + header)
    chunk = _read_full(read, CHUNK_SIZE)
    while True:
        following = _read_full(read, CHUNK_SIZE) if len(chunk) == CHUNK_SIZE else b""
        tag = _TAG_MESSAGE if following else _TAG_FINAL
        write(sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, tag=tag))
        if tag == _TAG_FINAL:
            return file_key
        chunk = following


class FileSealer:
    """Push-style :func:`encrypt_stream` for data that arrives in pieces (uploads).

    ``push`` returns the finished ciphertext frames (possibly none), ``finish``
    the last one. The first frame is the version and header. The output is
    byte for byte a stream that :func:`decrypt_stream` reads. Memory: at most
    one chunk of plaintext is held.
    """

    def __init__(self, *, padded: bool = False) -> None:
        """With `padded`, zeros follow the data up to a size class
        (:func:`padded_size`), then the data's length: a stored file no longer
        shows its size to the byte. :func:`unpad_file` undoes it after decryption."""
        self.padded = padded
        self.file_key: bytes = sodium.crypto_secretstream_xchacha20poly1305_keygen()
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        header: bytes = sodium.crypto_secretstream_xchacha20poly1305_init_push(
            self._state, self.file_key
        )
        self._pending = bytearray()
        self._frames: list[bytes] = [bytes([_VERSION]) + header]
        self._finished = False
        self.size = 0
        self._written = 0

    def push(self, data: bytes) -> list[bytes]:
        if self._finished:
            raise ValueError("the stream is finished")
        self.size += len(data)
        self._append(data)
        return self._take()

    def _append(self, data: bytes) -> None:
        self._written += len(data)
        self._pending += data
        # Keep the last full chunk back: if the input ends here it must be FINAL.
        while len(self._pending) > CHUNK_SIZE:
            chunk = bytes(self._pending[:CHUNK_SIZE])
            del self._pending[:CHUNK_SIZE]
            self._frames.append(
                sodium.crypto_secretstream_xchacha20poly1305_push(
                    self._state, chunk, tag=_TAG_MESSAGE
                )
            )

    def finish(self) -> list[bytes]:
        if self._finished:
            raise ValueError("the stream is finished")
        if self.padded:
            # Zeros up to the size class, then the real length (8 bytes, big-endian).
            total = padded_size(self.size + _LENGTH_SIZE)
            self._append(bytes(total - self._written - _LENGTH_SIZE))
            self._append(self.size.to_bytes(_LENGTH_SIZE, "big"))
        self._finished = True
        self._frames.append(
            sodium.crypto_secretstream_xchacha20poly1305_push(
                self._state, bytes(self._pending), tag=_TAG_FINAL
            )
        )
        self._pending.clear()
        return self._take()

    def _take(self) -> list[bytes]:
        frames, self._frames = self._frames, []
        return frames


_LENGTH_SIZE = 8
_MIB = 1024 * 1024


def padded_size(size: int) -> int:
    """The size class a padded file is stored at: the next power of two up to
    1 MiB (at least 4 KiB), then the next whole MiB."""
    if size <= _MIB:
        return max(4096, 1 << max(size - 1, 0).bit_length())
    return -(-size // _MIB) * _MIB


def unpad_file(plaintext: bytes) -> bytes:
    """The file inside a padded stream's plaintext; CannotOpen if it is not one."""
    if len(plaintext) < _LENGTH_SIZE:
        raise CannotOpen("not a padded file")
    size = int.from_bytes(plaintext[-_LENGTH_SIZE:], "big")
    if size > len(plaintext) - _LENGTH_SIZE:
        raise CannotOpen("not a padded file")
    return plaintext[:size]


def decrypt_stream(file_key: bytes, read: Callable[[int], bytes]) -> Iterator[bytes]:
    """Yield the plaintext chunks of a stream made by :func:`encrypt_stream`.

    Raises :class:`CannotOpen` (while iterating) on a wrong key, tampering,
    reordering, truncation or trailing data. Chunks already yielded are not
    proven complete until the iterator finishes without error: callers must
    discard partial output on failure.
    """
    if len(file_key) != FILE_KEY_SIZE:
        raise CannotOpen("file keys are 32 bytes")
    start = _read_full(read, 1 + _HEADER_SIZE)
    if len(start) != 1 + _HEADER_SIZE or start[0] != _VERSION:
        raise CannotOpen("not an encrypted file stream")
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, start[1:], bytes(file_key))
    while True:
        frame = _read_full(read, _FRAME_SIZE)
        if len(frame) < _ABYTES:
            raise CannotOpen("file stream is truncated")
        try:
            chunk, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, frame)
        except CryptoError:
            raise CannotOpen("cannot open file chunk") from None
        if tag == _TAG_FINAL:
            if read(1):
                raise CannotOpen("data after the final chunk")
            yield chunk
            return
        if tag != _TAG_MESSAGE or len(frame) != _FRAME_SIZE:
            raise CannotOpen("unexpected chunk")
        yield chunk


def seal_file_key(case_public: bytes, file_key: bytes) -> bytes:
    """Seal a file key to the case public key, so only case holders can read the file."""
    if len(file_key) != FILE_KEY_SIZE:
        raise ValueError("file keys are 32 bytes")
    return seal_to(case_public, file_key)


def open_file_key(case_keys: KeyPair, sealed: bytes) -> bytes:
    """Open a sealed file key with the case key pair; :class:`CannotOpen` otherwise."""
    file_key = open_sealed(case_keys, sealed)
    if len(file_key) != FILE_KEY_SIZE:
        raise CannotOpen("sealed file key has the wrong length")
    return file_key


def _read_full(read: Callable[[int], bytes], size: int) -> bytes:
    """Read exactly ``size`` bytes, fewer only at the end of input."""
    parts: list[bytes] = []
    missing = size
    while missing > 0:
        part = read(missing)
        if not part:
            break
        if len(part) > missing:
            raise ValueError("read(n) returned more than n bytes")
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)
