from __future__ import annotations

import pytest

from tropa.vault import (
    constant_time_equal,
    keyed_hash,
    keypair_from_secret,
    normalise_codename,
    open_sealed,
    random_token,
    requester_keypair,
    requester_lookup_id,
    seal_to,
)

PEPPER = bytes(range(32))
OTHER_PEPPER = bytes(range(1, 33))
CODENAME = "amber-falcon-river-seven-lantern"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Alpha  Beta", "alpha-beta"),
        ("alpha-beta", "alpha-beta"),
        ("  ALPHA - - beta\n", "alpha-beta"),
        ("alpha\u2013beta", "alpha-beta"),
        ("ＡＬＰＨＡ　beta", "alpha-beta"),
        ("Straße", "strasse"),
        ("-alpha-", "alpha"),
    ],
)
def test_it_normalises_codenames_as_people_type_them(typed: str, expected: str) -> None:
    assert normalise_codename(typed) == expected


def test_it_derives_the_same_id_and_key_every_time() -> None:
    assert requester_lookup_id(PEPPER, CODENAME) == requester_lookup_id(PEPPER, CODENAME)
    assert requester_keypair(PEPPER, CODENAME) == requester_keypair(PEPPER, CODENAME)
    assert len(requester_lookup_id(PEPPER, CODENAME)) == 32


def test_it_treats_typing_variants_as_the_same_codename() -> None:
    assert requester_lookup_id(PEPPER, "Alpha  Beta") == requester_lookup_id(PEPPER, "alpha-beta")
    assert requester_keypair(PEPPER, "Alpha  Beta") == requester_keypair(PEPPER, "alpha-beta")


def test_it_gives_different_codenames_different_ids_and_keys() -> None:
    assert requester_lookup_id(PEPPER, CODENAME) != requester_lookup_id(PEPPER, CODENAME + "x")
    assert requester_keypair(PEPPER, CODENAME) != requester_keypair(PEPPER, CODENAME + "x")


def test_it_depends_on_the_pepper() -> None:
    assert requester_lookup_id(PEPPER, CODENAME) != requester_lookup_id(OTHER_PEPPER, CODENAME)
    assert requester_keypair(PEPPER, CODENAME) != requester_keypair(OTHER_PEPPER, CODENAME)


def test_it_keeps_the_lookup_id_apart_from_the_key() -> None:
    keys = requester_keypair(PEPPER, CODENAME)
    lookup = requester_lookup_id(PEPPER, CODENAME)
    assert lookup not in (keys.public_key, keys.secret_key)
    assert keyed_hash(PEPPER, b"tropa-lookup", normalise_codename(CODENAME).encode()) != lookup


def test_it_derives_a_working_key_pair() -> None:
    keys = requester_keypair(PEPPER, CODENAME)
    assert keypair_from_secret(keys.secret_key) == keys
    again = requester_keypair(PEPPER, CODENAME.upper())
    assert open_sealed(again, seal_to(keys.public_key, b"reply")) == b"reply"


@pytest.mark.parametrize("codename", ["", "   ", "- -"])
def test_it_refuses_an_empty_codename(codename: str) -> None:
    with pytest.raises(ValueError):
        requester_lookup_id(PEPPER, codename)
    with pytest.raises(ValueError):
        requester_keypair(PEPPER, codename)


@pytest.mark.parametrize("pepper", [b"", b"short", bytes(31), bytes(65)])
def test_it_refuses_a_weak_or_oversized_pepper(pepper: bytes) -> None:
    with pytest.raises(ValueError):
        requester_lookup_id(pepper, CODENAME)
    with pytest.raises(ValueError):
        keyed_hash(pepper, b"telegram", b"12345")


def test_it_hashes_per_purpose() -> None:
    one = keyed_hash(PEPPER, b"telegram", b"12345")
    assert one == keyed_hash(PEPPER, b"telegram", b"12345")
    assert len(one) == 32
    assert one != keyed_hash(PEPPER, b"signal", b"12345")
    assert one != keyed_hash(PEPPER, b"telegram", b"12346")
    assert one != keyed_hash(OTHER_PEPPER, b"telegram", b"12345")


@pytest.mark.parametrize("purpose", [b"", b"x" * 17])
def test_it_refuses_a_purpose_blake2b_cannot_carry(purpose: bytes) -> None:
    with pytest.raises(ValueError):
        keyed_hash(PEPPER, purpose, b"value")


def test_it_compares_in_constant_time_helper() -> None:
    assert constant_time_equal(b"abc", b"abc")
    assert not constant_time_equal(b"abc", b"abd")
    assert not constant_time_equal(b"abc", b"ab")


def test_it_makes_random_tokens() -> None:
    assert len(random_token(32)) == 32
    assert random_token(16) != random_token(16)
    with pytest.raises(ValueError):
        random_token(0)
