from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpResponse

from tropa.core.registry import Registry

# (signed-in user, language) -> None: keeps a signed-in person's choice with
# their account. Accounts plugs in from its wiring module.
LANGUAGE_CHOSEN: Registry[Callable[[Any, str], None]] = Registry("language chosen")


def remember_language(response: HttpResponse, language: str) -> None:
    """Keep the chosen language for this visit only: a cookie that ends when
    the browser closes (it holds nothing else). A staff member's choice is
    also kept with their account and set again at each sign-in."""
    if language not in dict(settings.LANGUAGES):
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        httponly=True,
        samesite="Strict",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
