from __future__ import annotations

import base64
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tropa.vault import (
    KDF_FAST_FOR_TESTS,
    KDF_INTERACTIVE,
    KDF_MODERATE,
    KDF_SENSITIVE,
    CannotOpen,
    KdfLimits,
    WrongPassword,
    create_staff_key,
    generate_keypair,
    hold_for_session,
    hold_secret_for_session,
    release_from_session,
    release_secret_from_session,
    rewrap_staff_key,
    unwrap_staff_key,
)

from .helpers import every_bit_flip, flipped

PASSWORD = "correct horse battery staple ✓"


def test_it_unwraps_with_the_right_password() -> None:
    keys, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    assert unwrap_staff_key(wrapped, PASSWORD) == keys
    assert wrapped.public_key == keys.public_key


def test_it_stores_salt_and_limits_with_the_wrap() -> None:
    _, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    assert len(wrapped.salt) == 16
    assert (wrapped.opslimit, wrapped.memlimit) == (
        KDF_FAST_FOR_TESTS.opslimit,
        KDF_FAST_FOR_TESTS.memlimit,
    )
    _, other = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    assert other.salt != wrapped.salt


def test_it_never_puts_the_secret_in_the_wrap() -> None:
    keys, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    assert keys.secret_key not in wrapped.wrapped_secret
    assert keys.secret_key.hex() not in repr(wrapped)


@pytest.mark.parametrize("attempt", ["", "wrong", PASSWORD.upper(), PASSWORD + " "])
def test_it_rejects_a_wrong_password(attempt: str) -> None:
    _, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    with pytest.raises(WrongPassword):
        unwrap_staff_key(wrapped, attempt)


def test_it_rejects_every_flipped_bit_of_the_wrapped_secret() -> None:
    _, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    for bad in every_bit_flip(wrapped.wrapped_secret):
        with pytest.raises((WrongPassword, CannotOpen)):
            unwrap_staff_key(dataclasses.replace(wrapped, wrapped_secret=bad), PASSWORD)


def test_it_rejects_a_truncated_or_extended_wrap() -> None:
    _, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    for bad in (b"", wrapped.wrapped_secret[:-1], wrapped.wrapped_secret + b"\x00"):
        with pytest.raises((WrongPassword, CannotOpen)):
            unwrap_staff_key(dataclasses.replace(wrapped, wrapped_secret=bad), PASSWORD)


def test_it_rejects_a_changed_salt_or_limits() -> None:
    _, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    changes: list[dict[str, object]] = [
        {"salt": flipped(wrapped.salt, 0)},
        {"salt": wrapped.salt[:-1]},
        {"opslimit": wrapped.opslimit + 1},
        {"memlimit": wrapped.memlimit * 2},
        {"opslimit": 0},
        {"memlimit": 2**50},
        {"opslimit": 2**40},
    ]
    for change in changes:
        with pytest.raises((WrongPassword, CannotOpen)):
            unwrap_staff_key(dataclasses.replace(wrapped, **change), PASSWORD)  # type: ignore[arg-type]


def test_it_detects_a_swapped_public_key() -> None:
    # Given a row whose public key was replaced (so new grants would go to an attacker)
    _, wrapped = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    swapped = dataclasses.replace(wrapped, public_key=generate_keypair().public_key)
    # Then unwrapping refuses instead of handing back a mismatched pair
    with pytest.raises(CannotOpen):
        unwrap_staff_key(swapped, PASSWORD)


def test_it_rewraps_under_a_new_password_keeping_the_pair() -> None:
    keys, old = create_staff_key(PASSWORD, KDF_FAST_FOR_TESTS)
    new = rewrap_staff_key(keys, "a new passphrase", KDF_FAST_FOR_TESTS)
    assert new.public_key == old.public_key
    assert new.salt != old.salt
    assert unwrap_staff_key(new, "a new passphrase") == keys
    with pytest.raises(WrongPassword):
        unwrap_staff_key(new, PASSWORD)


def test_it_uses_libsodium_costs_for_the_named_limits() -> None:
    assert (KDF_MODERATE.opslimit, KDF_MODERATE.memlimit) == (3, 256 * 1024 * 1024)
    assert (KDF_INTERACTIVE.opslimit, KDF_INTERACTIVE.memlimit) == (2, 64 * 1024 * 1024)
    assert (KDF_SENSITIVE.opslimit, KDF_SENSITIVE.memlimit) == (4, 1024 * 1024 * 1024)
    assert (KDF_FAST_FOR_TESTS.opslimit, KDF_FAST_FOR_TESTS.memlimit) == (1, 8192)


def test_it_round_trips_once_at_the_moderate_default() -> None:
    keys, wrapped = create_staff_key(PASSWORD, KDF_MODERATE)
    assert (wrapped.opslimit, wrapped.memlimit) == (3, 256 * 1024 * 1024)
    assert unwrap_staff_key(wrapped, PASSWORD) == keys


@pytest.mark.parametrize(("ops", "mem"), [(0, 8192), (1, 1024), (1, 2**50), (2**40, 8192)])
def test_it_refuses_limits_outside_the_supported_range(ops: int, mem: int) -> None:
    with pytest.raises(ValueError):
        KdfLimits(ops, mem)


# --- holding the key for a session -------------------------------------------


def test_it_releases_the_held_key_with_the_cookie_token() -> None:
    keys = generate_keypair()
    cookie_token, held = hold_for_session(keys)
    assert release_from_session(cookie_token, held) == keys


def test_it_makes_cookie_safe_and_text_safe_values() -> None:
    cookie_token, held = hold_for_session(generate_keypair())
    assert len(base64.urlsafe_b64decode(cookie_token)) == 32
    assert set(cookie_token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="
    )
    assert held.isascii()


def test_it_uses_a_fresh_session_key_each_login() -> None:
    keys = generate_keypair()
    (token_one, held_one), (token_two, held_two) = hold_for_session(keys), hold_for_session(keys)
    assert token_one != token_two
    assert held_one != held_two
    with pytest.raises(CannotOpen):
        release_from_session(token_one, held_two)


def test_it_keeps_the_key_from_a_session_row_alone() -> None:
    # Given the server-side session value as a seized session store shows it
    keys = generate_keypair()
    _, held = hold_for_session(keys)
    assert keys.secret_key not in base64.b64decode(held)
    # When it is tried with no cookie, an empty one or a guessed one
    guesses = ["", base64.urlsafe_b64encode(bytes(32)).decode(), hold_for_session(keys)[0]]
    # Then it never yields the key
    for guess in guesses:
        with pytest.raises(CannotOpen):
            release_from_session(guess, held)


def test_it_rejects_tampered_or_malformed_session_values() -> None:
    cookie_token, held = hold_for_session(generate_keypair())
    raw = base64.b64decode(held)
    for bad in every_bit_flip(raw):
        with pytest.raises(CannotOpen):
            release_from_session(cookie_token, base64.b64encode(bad).decode())
    malformed_pairs = [
        (cookie_token, held[:-4]),
        (cookie_token, held + "AAAA"),
        (cookie_token, "not base64!"),
        (cookie_token, ""),
        (cookie_token[:-4], held),
        (cookie_token + "AAAA", held),
        (cookie_token.replace("=", ""), held),
        ("é" * 44, held),
        (" " + cookie_token, held),
    ]
    for token, value in malformed_pairs:
        with pytest.raises(CannotOpen):
            release_from_session(token, value)


@settings(max_examples=200, deadline=None)
@given(token=st.text(), held=st.text())
def test_it_only_ever_raises_cannot_open_for_arbitrary_session_text(token: str, held: str) -> None:
    with pytest.raises(CannotOpen):
        release_from_session(token, held)


@settings(max_examples=200, deadline=None)
@given(token=st.binary(min_size=32, max_size=32), held=st.binary())
def test_it_only_ever_raises_cannot_open_for_arbitrary_well_formed_base64(
    token: bytes, held: bytes
) -> None:
    with pytest.raises(CannotOpen):
        release_from_session(
            base64.urlsafe_b64encode(token).decode(), base64.b64encode(held).decode()
        )


def test_it_holds_any_short_secret_for_a_session() -> None:
    token, held = hold_secret_for_session("кот лес река".encode())
    assert release_secret_from_session(token, held).decode() == "кот лес река"
    other_token, _ = hold_secret_for_session(b"x")
    with pytest.raises(CannotOpen):
        release_secret_from_session(other_token, held)
