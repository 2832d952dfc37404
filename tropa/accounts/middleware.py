"""Deny by default, and unlock the staff key for each request that passes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from tropa.accounts import session_keys
from tropa.core import clock
from tropa.core.access import is_enrolment_step, is_password_step, is_public


class StaffAccessMiddleware:
    """Lets a request reach a view only if the view is public or the staff member
    is signed in with two-factor and their key unlocks; else back to sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: object, kwargs: object
    ) -> HttpResponse | None:
        if is_public(view):
            return None
        user = request.user
        if not user.is_authenticated:
            return self._to_sign_in(request)
        expires = getattr(user, "expires_at", None)
        if expires is not None and expires <= clock.now():  # a temporary account's time is up
            session_keys.forget(request)
            return self._to_sign_in(request)
        if not user.has_keys:  # type: ignore[union-attr]
            # A temporary password opens no keys: only enrolment and choosing
            # one's own password (which creates the key pair) are reachable.
            request.staff_keys = None  # type: ignore[attr-defined]
            if is_enrolment_step(view):
                return None
            if not user.is_verified():  # type: ignore[union-attr]
                return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
            if is_password_step(view):
                return None
            return HttpResponseRedirect(reverse("accounts:password_change"))
        try:
            request.staff_keys = session_keys.release(request)  # type: ignore[attr-defined]
        except session_keys.NoKeys:
            # A session without its key cookie (or the reverse) is worthless: end it.
            session_keys.forget(request)
            return self._to_sign_in(request)
        if is_enrolment_step(view):
            return None
        if not user.is_verified():  # type: ignore[union-attr]
            return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
        if user.must_change_password and not is_password_step(view):  # type: ignore[union-attr]
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return None

    @staticmethod
    def _to_sign_in(request: HttpRequest) -> HttpResponse:
        target = resolve_url("accounts:login")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
