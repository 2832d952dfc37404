"""Small helpers shared by the vault tests."""

from __future__ import annotations

from collections.abc import Iterator


def flipped(data: bytes, index: int, mask: int = 0x01) -> bytes:
    """``data`` with the bits in ``mask`` flipped at ``index``."""
    changed = bytearray(data)
    changed[index] ^= mask
    return bytes(changed)


def every_bit_flip(data: bytes) -> Iterator[bytes]:
    """``data`` with one bit flipped, for each byte position (lowest and highest bit)."""
    for index in range(len(data)):
        yield flipped(data, index, 0x01)
        yield flipped(data, index, 0x80)
