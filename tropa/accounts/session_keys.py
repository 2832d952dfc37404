"""The staff private key between requests.

At sign-in the unwrapped key is encrypted under a fresh random key that goes to
the browser only, in an HttpOnly, SameSite=Strict cookie. The server-side
session keeps the ciphertext. Either half alone is useless: a stolen session
table cannot unwrap anyone's key, nor can a stolen cookie without the session.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tropa import vault

HELD = "tropa_held_key"
_NEW_COOKIE = "_tropa_new_key_cookie"
_DROP_COOKIE = "_tropa_drop_key_cookie"


class NoKeys(Exception):
    """The session holds no key this browser can unlock."""


def hold(request: HttpRequest, keys: vault.KeyPair) -> None:
    cookie_token, held = vault.hold_for_session(keys)
    request.session[HELD] = held
    setattr(request, _NEW_COOKIE, cookie_token)


def release(request: HttpRequest) -> vault.KeyPair:
    held = request.session.get(HELD)
    token = getattr(request, _NEW_COOKIE, None) or request.COOKIES.get(
        settings.TROPA_KEY_COOKIE_NAME
    )
    if not isinstance(held, str) or not token:
        raise NoKeys
    try:
        return vault.release_from_session(token, held)
    except vault.CannotOpen:
        raise NoKeys from None


def forget(request: HttpRequest) -> None:
    """Destroy both halves: the session row and the browser's cookie."""
    request.session.flush()
    setattr(request, _DROP_COOKIE, True)


def apply_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """Write or delete the key cookie as the view asked; called by the middleware."""
    token = getattr(request, _NEW_COOKIE, None)
    if getattr(request, _DROP_COOKIE, False) and token is None:
        response.delete_cookie(settings.TROPA_KEY_COOKIE_NAME, samesite="Strict")
    elif token is not None:
        response.set_cookie(
            settings.TROPA_KEY_COOKIE_NAME,
            token,
            max_age=None,  # gone when the browser closes
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
