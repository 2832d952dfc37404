"""Tropa's vault: the only code that touches cryptography (libsodium via PyNaCl).

Import everything from here. No Django: the vault is plain functions on bytes,
named for what they protect. See DESIGN.md, "Key hierarchy".
"""

from tropa.vault.errors import BadRecoveryWords, CannotOpen, VaultError, WrongPassword
from tropa.vault.files import (
    CHUNK_SIZE,
    decrypt_stream,
    encrypt_stream,
    open_file_key,
    seal_file_key,
)
from tropa.vault.keys import KeyPair, fingerprint, generate_keypair, keypair_from_secret
from tropa.vault.many import (
    open_from_many,
    open_requester_reply,
    seal_requester_reply,
    seal_to_many,
)
from tropa.vault.recovery import recovery_key_from_words, recovery_words
from tropa.vault.requester import (
    constant_time_equal,
    keyed_hash,
    normalise_codename,
    random_token,
    requester_keypair,
    requester_lookup_id,
)
from tropa.vault.sealing import (
    open_case_key,
    open_case_message,
    open_sealed,
    open_sealed_secret_key,
    open_text,
    seal_case_key_for,
    seal_case_message,
    seal_secret_key,
    seal_text,
    seal_to,
)
from tropa.vault.staff import (
    KDF_FAST_FOR_TESTS,
    KDF_INTERACTIVE,
    KDF_MODERATE,
    KDF_SENSITIVE,
    KdfLimits,
    WrappedStaffKey,
    create_staff_key,
    hold_for_session,
    release_from_session,
    rewrap_staff_key,
    unwrap_staff_key,
)

__all__ = [
    "CHUNK_SIZE",
    "KDF_FAST_FOR_TESTS",
    "KDF_INTERACTIVE",
    "KDF_MODERATE",
    "KDF_SENSITIVE",
    "BadRecoveryWords",
    "CannotOpen",
    "KdfLimits",
    "KeyPair",
    "VaultError",
    "WrappedStaffKey",
    "WrongPassword",
    "constant_time_equal",
    "create_staff_key",
    "decrypt_stream",
    "encrypt_stream",
    "fingerprint",
    "generate_keypair",
    "hold_for_session",
    "keyed_hash",
    "keypair_from_secret",
    "normalise_codename",
    "open_case_key",
    "open_case_message",
    "open_file_key",
    "open_from_many",
    "open_requester_reply",
    "open_sealed",
    "open_sealed_secret_key",
    "open_text",
    "random_token",
    "recovery_key_from_words",
    "recovery_words",
    "release_from_session",
    "requester_keypair",
    "requester_lookup_id",
    "rewrap_staff_key",
    "seal_case_key_for",
    "seal_case_message",
    "seal_file_key",
    "seal_requester_reply",
    "seal_secret_key",
    "seal_text",
    "seal_to",
    "seal_to_many",
    "unwrap_staff_key",
]
