from __future__ import annotations

import pytest

from tropa.vault import KeyPair, fingerprint, generate_keypair, keypair_from_secret


def test_it_generates_distinct_32_byte_pairs() -> None:
    one, two = generate_keypair(), generate_keypair()
    assert len(one.public_key) == len(one.secret_key) == 32
    assert one.public_key != two.public_key
    assert one.secret_key != two.secret_key


def test_it_rebuilds_the_pair_from_the_secret() -> None:
    keys = generate_keypair()
    assert keypair_from_secret(keys.secret_key) == keys


def test_it_never_shows_the_secret_in_repr_or_str() -> None:
    keys = generate_keypair()
    for text in (repr(keys), str(keys), f"{keys}"):
        assert repr(keys.secret_key) not in text
        assert keys.secret_key.hex() not in text
        assert "secret" not in text


def test_it_refuses_a_pair_whose_halves_do_not_match() -> None:
    one, two = generate_keypair(), generate_keypair()
    with pytest.raises(ValueError):
        KeyPair(public_key=one.public_key, secret_key=two.secret_key)


@pytest.mark.parametrize("size", [0, 31, 33])
def test_it_refuses_keys_of_the_wrong_size(size: int) -> None:
    with pytest.raises(ValueError):
        keypair_from_secret(b"\x01" * size)


def test_it_fingerprints_stably_and_briefly() -> None:
    keys = generate_keypair()
    print_ = fingerprint(keys.public_key)
    assert print_ == fingerprint(keys.public_key)
    assert len(print_) == 16
    int(print_, 16)
    assert print_ != fingerprint(generate_keypair().public_key)
