"""Who is asking, for views behind StaffAccessMiddleware (which guarantees both)."""

from __future__ import annotations

from django.http import HttpRequest

from tropa import vault
from tropa.accounts.models import Staff


def staff_of(request: HttpRequest) -> Staff:
    """The signed-in staff member (the middleware let only staff through)."""
    user = request.user
    assert isinstance(user, Staff)
    return user


def keys_of(request: HttpRequest) -> vault.KeyPair:
    """The staff member's unlocked key pair, released by the middleware for this request."""
    return request.staff_keys  # type: ignore[attr-defined,no-any-return]
