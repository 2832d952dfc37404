"""Who is asking, for views behind StaffAccessMiddleware (which guarantees both),
and which roles a view is for."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse

from tropa import vault
from tropa.accounts.models import Role, Staff

View = Callable[..., HttpResponse]


def staff_of(request: HttpRequest) -> Staff:
    """The signed-in staff member (the middleware let only staff through)."""
    user = request.user
    assert isinstance(user, Staff)
    return user


def keys_of(request: HttpRequest) -> vault.KeyPair:
    """The staff member's unlocked key pair, released by the middleware for this request."""
    return request.staff_keys  # type: ignore[attr-defined,no-any-return]


def roles_only(*roles: Role) -> Callable[[View], View]:
    """Anyone else gets 404, as if the page did not exist."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if getattr(request.user, "role", None) not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
