"""The narrow exceptions of the vault.

Messages are fixed strings: they never contain key material, passwords,
plaintext or ciphertext, so they are safe to log.
"""


class VaultError(Exception):
    """Base class for every failure the vault reports on purpose."""


class WrongPassword(VaultError):
    """The password does not unwrap this staff key (or the wrapped key was altered)."""


class CannotOpen(VaultError):
    """This ciphertext cannot be opened with this key.

    Raised for tampering, a wrong key, truncation, trailing data and malformed
    input alike, so callers need only one ``except`` and learn nothing more.
    """


class BadRecoveryWords(VaultError):
    """The recovery words are not 24 valid BIP-39 words with a correct checksum."""
