from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PublicKey, SealedBox

from tropa.vault import (
    CannotOpen,
    KeyPair,
    generate_keypair,
    open_from_many,
    open_requester_reply,
    seal_requester_reply,
    seal_to_many,
)
from tropa.vault.keys import key_id

from .helpers import every_bit_flip

ALICE, BOB, CAROL, OUTSIDER = (generate_keypair() for _ in range(4))
SECRET = b"meet at the border crossing at 06:00"


def test_it_opens_for_each_recipient() -> None:
    blob = seal_to_many(SECRET, [ALICE.public_key, BOB.public_key, CAROL.public_key])
    for keys in (ALICE, BOB, CAROL):
        assert open_from_many(keys, blob) == SECRET
    assert SECRET not in blob
    assert blob[0] == 1


def test_it_stays_closed_to_an_outsider() -> None:
    blob = seal_to_many(SECRET, [ALICE.public_key, BOB.public_key])
    with pytest.raises(CannotOpen):
        open_from_many(OUTSIDER, blob)


def test_it_closes_new_blobs_to_a_removed_recipient() -> None:
    # Given a team of three, then Carol's access is revoked
    team = [ALICE.public_key, BOB.public_key, CAROL.public_key]
    before = seal_to_many(b"before", team)
    team.remove(CAROL.public_key)
    # When the next message is sealed to the remaining team
    after = seal_to_many(b"after", team)
    # Then Carol can read the old one but not the new one
    assert open_from_many(CAROL, before) == b"before"
    with pytest.raises(CannotOpen):
        open_from_many(CAROL, after)
    assert open_from_many(BOB, after) == b"after"


def test_it_seals_duplicate_recipients_once() -> None:
    once = seal_to_many(SECRET, [ALICE.public_key])
    twice = seal_to_many(SECRET, [ALICE.public_key, ALICE.public_key])
    assert len(once) == len(twice)
    assert open_from_many(ALICE, twice) == SECRET


@pytest.mark.parametrize("plaintext", [b"", b"a", bytes(range(256)) * 300])
def test_it_round_trips_any_length(plaintext: bytes) -> None:
    blob = seal_to_many(plaintext, [ALICE.public_key, BOB.public_key])
    assert open_from_many(BOB, blob) == plaintext


def test_it_refuses_any_flipped_bit() -> None:
    blob = seal_to_many(SECRET, [ALICE.public_key, BOB.public_key])
    for bad in every_bit_flip(blob):
        for keys in (ALICE, BOB):
            with pytest.raises(CannotOpen):
                open_from_many(keys, bad)


def test_it_refuses_truncated_or_extended_blobs() -> None:
    blob = seal_to_many(SECRET, [ALICE.public_key, BOB.public_key])
    for end in range(len(blob)):
        with pytest.raises(CannotOpen):
            open_from_many(BOB, blob[:end])
    with pytest.raises(CannotOpen):
        open_from_many(BOB, blob + b"\x00")


def test_it_refuses_a_recipient_slot_moved_into_another_blob() -> None:
    # Given Bob's slot copied from one blob into another sealed only to Alice
    to_both = seal_to_many(b"one", [ALICE.public_key, BOB.public_key])
    to_alice = seal_to_many(b"two", [ALICE.public_key])
    slot_size = 8 + 2 + 80
    bob_slot = to_both[3 + slot_size : 3 + 2 * slot_size]
    forged = b"\x01\x00\x02" + to_alice[3 : 3 + slot_size] + bob_slot + to_alice[3 + slot_size :]
    # Then neither can open the forgery: the header is authenticated with the body
    for keys in (ALICE, BOB):
        with pytest.raises(CannotOpen):
            open_from_many(keys, forged)


def test_it_refuses_bad_recipient_lists() -> None:
    with pytest.raises(ValueError):
        seal_to_many(SECRET, [])
    with pytest.raises(ValueError):
        seal_to_many(SECRET, [b"\x00" * 16])


def test_it_seals_a_reply_to_the_requester_and_the_case() -> None:
    requester, case = generate_keypair(), generate_keypair()
    text = "Ответ юриста: не подписывайте ничего"
    blob = seal_requester_reply(text, requester.public_key, case.public_key)
    assert open_requester_reply(requester, blob) == text
    assert open_requester_reply(case, blob) == text
    with pytest.raises(CannotOpen):
        open_requester_reply(OUTSIDER, blob)


def test_it_refuses_a_reply_that_is_not_text() -> None:
    blob = seal_to_many(b"\xff", [ALICE.public_key])
    with pytest.raises(CannotOpen):
        open_requester_reply(ALICE, blob)


def _open_or_cannot(keys: KeyPair, blob: bytes) -> None:
    with contextlib.suppress(CannotOpen):
        open_from_many(keys, blob)


@settings(max_examples=200, deadline=None)
@given(blob=st.binary(max_size=600))
def test_it_only_ever_raises_cannot_open_for_arbitrary_bytes(blob: bytes) -> None:
    _open_or_cannot(ALICE, blob)
    _open_or_cannot(ALICE, b"\x01" + blob)


VALID = seal_to_many(SECRET, [ALICE.public_key, BOB.public_key])


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_it_only_ever_opens_or_refuses_a_mutated_blob(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(VALID) - 1))
    replacement = data.draw(st.binary(min_size=0, max_size=8))
    blob = VALID[:index] + replacement + VALID[index + 1 :]
    with contextlib.suppress(CannotOpen):
        assert open_from_many(BOB, blob) == SECRET


def test_it_refuses_a_forged_slot_holding_a_short_data_key() -> None:
    # Anyone can seal to a public key; a forged slot must not crash the opener.
    sealed = SealedBox(PublicKey(ALICE.public_key)).encrypt(b"k" * 31)
    forged = b"\x01\x00\x01" + key_id(ALICE.public_key) + len(sealed).to_bytes(2, "big")
    forged += sealed + bytes(60)
    with pytest.raises(CannotOpen):
        open_from_many(ALICE, forged)
