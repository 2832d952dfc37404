from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tropa.vault import (
    CHUNK_SIZE,
    CannotOpen,
    FileSealer,
    decrypt_stream,
    encrypt_stream,
    generate_keypair,
    open_file_key,
    padded_size,
    random_token,
    seal_file_key,
    seal_to,
    unpad_file,
)

FRAME = CHUNK_SIZE + 17  # ciphertext size of a full chunk
START = 1 + 24  # version byte and secretstream header


def encrypt(plaintext: bytes) -> tuple[bytes, bytes]:
    """Encrypt ``plaintext``; return ``(file_key, ciphertext)``."""
    out = io.BytesIO()
    file_key = encrypt_stream(io.BytesIO(plaintext).read, out.write)
    return file_key, out.getvalue()


def decrypt(file_key: bytes, ciphertext: bytes) -> bytes:
    return b"".join(decrypt_stream(file_key, io.BytesIO(ciphertext).read))


def frames(ciphertext: bytes) -> list[bytes]:
    body = ciphertext[START:]
    return [body[i : i + FRAME] for i in range(0, len(body), FRAME)]


def join(ciphertext: bytes, parts: list[bytes]) -> bytes:
    return ciphertext[:START] + b"".join(parts)


MULTI = random_token(200 * 1024 + 333)  # three full chunks and an odd remainder
MULTI_KEY, MULTI_CT = encrypt(MULTI)


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 200 * 1024 + 333]
)
def test_it_round_trips_files_of_any_size(size: int) -> None:
    plaintext = random_token(size) if size else b""
    file_key, ciphertext = encrypt(plaintext)
    assert len(file_key) == 32
    assert decrypt(file_key, ciphertext) == plaintext
    assert ciphertext[0] == 1


def test_it_writes_one_final_chunk_for_an_empty_file() -> None:
    _, ciphertext = encrypt(b"")
    assert len(ciphertext) == START + 17


def test_it_adds_no_empty_chunk_after_an_exact_multiple() -> None:
    _, ciphertext = encrypt(bytes(2 * CHUNK_SIZE))
    assert len(ciphertext) == START + 2 * FRAME


def test_it_yields_bounded_chunks() -> None:
    chunks = list(decrypt_stream(MULTI_KEY, io.BytesIO(MULTI_CT).read))
    assert [len(c) for c in chunks] == [CHUNK_SIZE] * 3 + [200 * 1024 + 333 - 3 * CHUNK_SIZE]


def test_it_reads_and_writes_one_chunk_at_a_time() -> None:
    asked: list[int] = []
    written: list[int] = []
    source = io.BytesIO(MULTI)

    def read(size: int) -> bytes:
        asked.append(size)
        return source.read(size)

    encrypt_stream(read, lambda data: written.append(len(data)))
    assert max(asked) == CHUNK_SIZE
    assert max(written) == FRAME


def test_it_copes_with_short_reads() -> None:
    # A socket-like reader that returns fewer bytes than asked
    def trickle(data: bytes) -> Callable[[int], bytes]:
        source = io.BytesIO(data)
        return lambda size: source.read(min(size, 1000))

    out = io.BytesIO()
    file_key = encrypt_stream(trickle(MULTI), out.write)
    assert len(out.getvalue()) == len(MULTI_CT)  # same framing as full reads
    assert b"".join(decrypt_stream(file_key, trickle(out.getvalue()))) == MULTI


def test_it_uses_a_new_key_per_file() -> None:
    key_one, ct_one = encrypt(b"same")
    key_two, ct_two = encrypt(b"same")
    assert key_one != key_two
    assert ct_one != ct_two


def test_it_refuses_a_wrong_key() -> None:
    with pytest.raises(CannotOpen):
        decrypt(random_token(32), MULTI_CT)
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY[:31], MULTI_CT)


def test_it_refuses_a_tampered_byte_in_chunk_two() -> None:
    parts = frames(MULTI_CT)
    changed = bytearray(parts[1])
    changed[100] ^= 0x01
    tampered = join(MULTI_CT, [parts[0], bytes(changed), *parts[2:]])
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY, tampered)


def test_it_refuses_a_tampered_header_or_version() -> None:
    for index in (0, 1, START - 1):
        changed = bytearray(MULTI_CT)
        changed[index] ^= 0x01
        with pytest.raises(CannotOpen):
            decrypt(MULTI_KEY, bytes(changed))


def test_it_refuses_a_stream_missing_its_last_chunk() -> None:
    parts = frames(MULTI_CT)
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY, join(MULTI_CT, parts[:-1]))


def test_it_refuses_a_stream_cut_anywhere() -> None:
    file_key, ciphertext = encrypt(b"short file")
    for end in range(len(ciphertext)):
        with pytest.raises(CannotOpen):
            decrypt(file_key, ciphertext[:end])


def test_it_refuses_a_cut_at_a_chunk_boundary_of_an_exact_multiple() -> None:
    file_key, ciphertext = encrypt(bytes(2 * CHUNK_SIZE))
    with pytest.raises(CannotOpen):
        decrypt(file_key, ciphertext[: START + FRAME])


def test_it_refuses_swapped_chunks() -> None:
    parts = frames(MULTI_CT)
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY, join(MULTI_CT, [parts[1], parts[0], *parts[2:]]))


def test_it_refuses_a_repeated_or_dropped_middle_chunk() -> None:
    parts = frames(MULTI_CT)
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY, join(MULTI_CT, [parts[0], parts[0], *parts[1:]]))
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY, join(MULTI_CT, [parts[0], *parts[2:]]))


@pytest.mark.parametrize("garbage", [b"\x00", b"more data", bytes(FRAME)])
def test_it_refuses_data_after_the_final_chunk(garbage: bytes) -> None:
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY, MULTI_CT + garbage)


def test_it_refuses_a_final_chunk_from_another_file() -> None:
    _, other = encrypt(MULTI)
    spliced = join(MULTI_CT, [*frames(MULTI_CT)[:-1], frames(other)[-1]])
    with pytest.raises(CannotOpen):
        decrypt(MULTI_KEY, spliced)


def test_it_seals_the_file_key_to_the_case() -> None:
    case, outsider = generate_keypair(), generate_keypair()
    sealed = seal_file_key(case.public_key, MULTI_KEY)
    assert MULTI_KEY not in sealed
    assert open_file_key(case, sealed) == MULTI_KEY
    with pytest.raises(CannotOpen):
        open_file_key(outsider, sealed)
    with pytest.raises(CannotOpen):
        open_file_key(case, sealed[:-1])


def test_it_refuses_a_sealed_value_that_is_not_a_file_key() -> None:
    case = generate_keypair()
    with pytest.raises(CannotOpen):
        open_file_key(case, seal_to(case.public_key, b"not a key"))
    with pytest.raises(ValueError):
        seal_file_key(case.public_key, b"short")


@settings(max_examples=200, deadline=None)
@given(ciphertext=st.binary(max_size=400), key=st.binary(min_size=32, max_size=32))
def test_it_only_ever_raises_cannot_open_for_arbitrary_bytes(ciphertext: bytes, key: bytes) -> None:
    with pytest.raises(CannotOpen):
        decrypt(key, ciphertext)
    with pytest.raises(CannotOpen):
        decrypt(key, b"\x01" + ciphertext)


SMALL = b"a" * 1000 + b"b" * 500
SMALL_KEY, SMALL_CT = encrypt(SMALL)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_it_only_ever_opens_or_refuses_a_mutated_stream(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(SMALL_CT) - 1))
    replacement = data.draw(st.binary(max_size=4))
    mutated = SMALL_CT[:index] + replacement + SMALL_CT[index + 1 :]
    with contextlib.suppress(CannotOpen):
        assert decrypt(SMALL_KEY, mutated) == SMALL


@pytest.mark.parametrize(
    "sizes",
    [[], [0], [1], [CHUNK_SIZE], [CHUNK_SIZE, 1], [10, CHUNK_SIZE * 2 + 5, 7], [CHUNK_SIZE * 3]],
)
def test_it_seals_pushed_pieces_into_a_stream_decrypt_reads(sizes: list[int]) -> None:
    sealer = FileSealer()
    pieces = [bytes([i % 251]) * n for i, n in enumerate(sizes)]
    frames = []
    for piece in pieces:
        frames += sealer.push(piece)
    frames += sealer.finish()
    assert sealer.size == sum(sizes)
    plaintext = b"".join(decrypt_stream(sealer.file_key, io.BytesIO(b"".join(frames)).read))
    assert plaintext == b"".join(pieces)


def test_a_finished_sealer_takes_nothing_more() -> None:
    sealer = FileSealer()
    sealer.finish()
    with pytest.raises(ValueError):
        sealer.push(b"late")
    with pytest.raises(ValueError):
        sealer.finish()


@pytest.mark.parametrize(
    ("size", "stored"),
    [
        (0, 4096),
        (1, 4096),
        (4096, 4096),
        (4097, 8192),
        (700_000, 1 << 20),
        ((1 << 20) + 1, 2 << 20),
        (5 * (1 << 20) - 3, 5 << 20),
    ],
)
def test_padded_sizes_are_classes(size, stored):
    assert padded_size(size) == stored


def test_a_padded_file_hides_its_size_to_the_byte_and_opens_whole():
    streams = {}
    for size in (1000, 1900, 3000):
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        sealer = FileSealer(padded=True)
        frames = sealer.push(data) + sealer.finish()
        streams[size] = [len(f) for f in frames]
        plain = b"".join(decrypt_stream(sealer.file_key, io.BytesIO(b"".join(frames)).read))
        assert unpad_file(plain) == data
        assert sealer.size == size
    # Three sizes in one class: the same frames, byte for byte in length.
    assert streams[1000] == streams[1900] == streams[3000]


def test_a_padded_file_with_a_forged_length_is_refused():
    with pytest.raises(CannotOpen):
        unpad_file(b"abc" + (10**9).to_bytes(8, "big"))
    with pytest.raises(CannotOpen):
        unpad_file(b"short")
