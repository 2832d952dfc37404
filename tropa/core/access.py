"""Deny by default: views say explicitly when they are open to anyone.

`tropa.accounts.middleware.StaffAccessMiddleware` lets a request reach a view
only when the view is marked `@public`, or a signed-in staff member with
two-factor and an unlocked key is asking. Everything else is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

V = TypeVar("V", bound=Callable[..., object])


def public(view: V) -> V:
    """Open to anyone, requesters included. Such views must never show case data."""
    view.tropa_public = True  # type: ignore[attr-defined]
    return view


def enrolment_step(view: V) -> V:
    """Open to a staff member who passed the password but has not finished two-factor."""
    view.tropa_enrolment_step = True  # type: ignore[attr-defined]
    return view


def password_step(view: V) -> V:
    """Open to a signed-in staff member who must first choose a new password."""
    view.tropa_password_step = True  # type: ignore[attr-defined]
    return view


def is_password_step(view: object) -> bool:
    return getattr(view, "tropa_password_step", False) is True


def is_public(view: object) -> bool:
    return getattr(view, "tropa_public", False) is True


def is_enrolment_step(view: object) -> bool:
    return getattr(view, "tropa_enrolment_step", False) is True
