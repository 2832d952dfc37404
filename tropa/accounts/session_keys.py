"""The staff private key between requests, held with tropa.core.session_secrets."""

from __future__ import annotations

from django.http import HttpRequest

from tropa import vault
from tropa.core import session_secrets

NAME = "key"


class NoKeys(Exception):
    """The session holds no key this browser can unlock."""


def hold(request: HttpRequest, keys: vault.KeyPair) -> None:
    session_secrets.hold(request, NAME, keys.secret_key)


def release(request: HttpRequest) -> vault.KeyPair:
    try:
        return vault.keypair_from_secret(session_secrets.release(request, NAME))
    except (session_secrets.NotHeld, ValueError):
        raise NoKeys from None


def forget(request: HttpRequest) -> None:
    """Destroy both halves: the session row and the browser's cookie."""
    session_secrets.forget_all(request, NAME)
