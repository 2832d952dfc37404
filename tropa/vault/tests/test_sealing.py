from __future__ import annotations

import pytest

from tropa.vault import (
    CannotOpen,
    generate_keypair,
    open_case_key,
    open_case_message,
    open_from_browser,
    open_sealed,
    open_sealed_secret_key,
    open_text,
    seal_case_key_for,
    seal_case_message,
    seal_for_browser,
    seal_secret_key,
    seal_text,
    seal_to,
)

from .helpers import every_bit_flip


def test_it_grants_a_case_key_to_a_staff_member() -> None:
    case, consultant = generate_keypair(), generate_keypair()
    grant = seal_case_key_for(consultant.public_key, case)
    assert open_case_key(consultant, grant, case.public_key) == case
    assert case.secret_key not in grant


def test_it_opens_grants_made_with_the_generic_names() -> None:
    intake, coordinator = generate_keypair(), generate_keypair()
    sealed = seal_secret_key(coordinator.public_key, intake)
    assert open_sealed_secret_key(coordinator, sealed, intake.public_key) == intake


def test_it_keeps_a_grant_closed_to_anyone_else() -> None:
    case, consultant, outsider = generate_keypair(), generate_keypair(), generate_keypair()
    grant = seal_case_key_for(consultant.public_key, case)
    with pytest.raises(CannotOpen):
        open_case_key(outsider, grant, case.public_key)
    with pytest.raises(CannotOpen):
        open_case_key(case, grant, case.public_key)


def test_it_refuses_a_grant_holding_a_different_key() -> None:
    # Given a grant row swapped for an attacker's own key, sealed to the consultant
    case, planted, consultant = generate_keypair(), generate_keypair(), generate_keypair()
    swapped = seal_case_key_for(consultant.public_key, planted)
    # Then opening it as this case's key fails
    with pytest.raises(CannotOpen):
        open_case_key(consultant, swapped, case.public_key)


def test_it_refuses_a_tampered_grant() -> None:
    case, consultant = generate_keypair(), generate_keypair()
    grant = seal_case_key_for(consultant.public_key, case)
    for bad in [b"", grant[:1], grant[:-1], grant + b"\x00", *every_bit_flip(grant)]:
        with pytest.raises(CannotOpen):
            open_case_key(consultant, bad, case.public_key)


def test_it_refuses_a_sealed_message_posing_as_a_grant() -> None:
    case, consultant = generate_keypair(), generate_keypair()
    message = seal_to(consultant.public_key, case.secret_key)
    with pytest.raises(CannotOpen):
        open_case_key(consultant, message, case.public_key)


@pytest.mark.parametrize("plaintext", [b"", b"x", b"\x00" * 63, b"y" * 64, bytes(range(256)) * 40])
def test_it_seals_bytes_to_one_key(plaintext: bytes) -> None:
    keys = generate_keypair()
    ciphertext = seal_to(keys.public_key, plaintext)
    assert open_sealed(keys, ciphertext) == plaintext
    assert ciphertext[0] == 1


def test_it_pads_so_lengths_show_only_roughly() -> None:
    keys = generate_keypair()
    sizes = {len(seal_to(keys.public_key, b"a" * n)) for n in range(0, 64)}
    assert len(sizes) == 1


def test_it_keeps_sealed_data_closed_to_another_key() -> None:
    keys, outsider = generate_keypair(), generate_keypair()
    ciphertext = seal_to(keys.public_key, b"the route goes through Kazakhstan")
    with pytest.raises(CannotOpen):
        open_sealed(outsider, ciphertext)


def test_it_refuses_tampered_sealed_data() -> None:
    keys = generate_keypair()
    ciphertext = seal_to(keys.public_key, b"secret")
    for bad in [b"", b"\x01", ciphertext[:-1], ciphertext + b"\x00", *every_bit_flip(ciphertext)]:
        with pytest.raises(CannotOpen):
            open_sealed(keys, bad)


def test_it_seals_case_messages_as_text() -> None:
    case = generate_keypair()
    text = "Повестка пришла 3 марта; уезжаю через Верхний Ларс 🇬🇪"
    ciphertext = seal_case_message(case.public_key, text)
    assert text.encode() not in ciphertext
    assert open_case_message(case, ciphertext) == text
    assert open_text(case, seal_text(case.public_key, "")) == ""


def test_it_refuses_bytes_that_are_not_text() -> None:
    case = generate_keypair()
    with pytest.raises(CannotOpen):
        open_case_message(case, seal_to(case.public_key, b"\xff\xfe"))


def test_it_refuses_to_seal_to_a_malformed_public_key() -> None:
    with pytest.raises(ValueError):
        seal_to(b"\x00" * 31, b"data")


def test_it_seals_a_value_only_the_browser_keeps() -> None:
    key = bytes(range(32))
    token = seal_for_browser(key, "кот лес".encode())
    assert "кот" not in token
    assert open_from_browser(key, token).decode() == "кот лес"
    for bad in ["", "!!!", token[:-2], token + "A", seal_for_browser(bytes(32), b"x")]:
        with pytest.raises(CannotOpen):
            open_from_browser(key, bad)
