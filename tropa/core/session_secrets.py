"""Secrets held for one browser session, split between cookie and session row.

A secret (a staff private key, a requester's codename) is encrypted under a
fresh random key that goes to the browser only, in an HttpOnly,
SameSite=Strict cookie; the server-side session keeps the ciphertext. A stolen
session table cannot open it, nor can a stolen cookie without the session.
`HeldSecretMiddleware` writes and deletes the cookies the views asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tropa import vault
from tropa.core import clock
from tropa.core.models import UsedBrowserValue

_PENDING = "_tropa_held_cookies"


class NotHeld(Exception):
    """The session holds no such secret this browser can unlock."""


def _pending(request: HttpRequest) -> dict[str, str | None]:
    pending: dict[str, str | None] | None = getattr(request, _PENDING, None)
    if pending is None:
        pending = {}
        setattr(request, _PENDING, pending)
    return pending


def hold(request: HttpRequest, name: str, secret: bytes) -> None:
    token, held = vault.hold_secret_for_session(secret)
    request.session[f"held_{name}"] = held
    _pending(request)[name] = token


def release(request: HttpRequest, name: str) -> bytes:
    held = request.session.get(f"held_{name}")
    token = _pending(request).get(name) or request.COOKIES.get(cookie_name(name))
    if not isinstance(held, str) or not token:
        raise NotHeld
    try:
        return vault.release_secret_from_session(token, held)
    except vault.CannotOpen:
        raise NotHeld from None


def drop(request: HttpRequest, name: str) -> None:
    request.session.pop(f"held_{name}", None)
    _pending(request)[name] = None


def forget_all(request: HttpRequest, *names: str) -> None:
    """End the session: the row goes, and so do the named cookies."""
    request.session.flush()
    for name in names:
        _pending(request)[name] = None


def hold_in_browser(request: HttpRequest, name: str, secret: bytes) -> None:
    """Keep a secret in the browser only, sealed under a server key, for a while.

    The server writes nothing, not even ciphertext: the right choice on the
    busiest path (a new request gets its codename), and for a secret that
    should exist only until the person has written it down.
    """
    issued = int(clock.now().timestamp())
    _pending(request)[name] = vault.seal_browser_value(_browser_key(), secret, issued)


def _open_from_browser(request: HttpRequest, name: str) -> vault.BrowserValue | None:
    token = _pending(request).get(name) or request.COOKIES.get(cookie_name(name))
    if not token:
        return None
    try:
        return vault.open_browser_value(_browser_key(), token)
    except vault.CannotOpen:
        return None


def release_from_browser(request: HttpRequest, name: str, max_age: int) -> bytes:
    value = _open_from_browser(request, name)
    if value is None or value.issued_at + max_age < clock.now().timestamp():
        raise NotHeld
    if UsedBrowserValue.objects.filter(key=_nonce_key(value.nonce)).exists():
        raise NotHeld
    return value.secret


def consume_from_browser(request: HttpRequest, name: str, max_age: int) -> None:
    """Make a browser-held value unusable for good, even from a copied cookie.

    Stores a keyed hash of its random nonce (nothing of the secret) until the
    value would have expired anyway.
    """
    value = _open_from_browser(request, name)
    _pending(request)[name] = None
    if value is None:
        return
    now = clock.now()
    UsedBrowserValue.objects.filter(expires_at__lt=now).delete()
    UsedBrowserValue.objects.get_or_create(
        key=_nonce_key(value.nonce),
        defaults={"expires_at": datetime.fromtimestamp(value.issued_at + max_age, tz=UTC)},
    )


def _nonce_key(nonce: bytes) -> str:
    return vault.used_browser_value_id(settings.TROPA_PEPPER, nonce)


def _browser_key() -> bytes:
    return vault.browser_values_key(settings.TROPA_PEPPER)


def cookie_name(name: str) -> str:
    return f"{settings.TROPA_HELD_COOKIE_PREFIX}{name}"


class HeldSecretMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, token in _pending(request).items():
            if token is None:
                response.delete_cookie(cookie_name(name), samesite="Strict")
            else:
                response.set_cookie(
                    cookie_name(name),
                    token,
                    max_age=None,  # gone when the browser closes
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Strict",
                )
        return response
