"""The requester's side of a session: codename held split, throttled sign-in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tropa.core import clock, session_secrets
from tropa.intake import actions
from tropa.intake.models import PortalThrottle

CODENAME = "codename"
NEW_CODENAME = "new_codename"
# How long the codename page can be reloaded before it is gone for good.
NEW_CODENAME_SECONDS = 2 * 3600
SESSION_FAILURES = "portal_failures"


def sign_in(request: HttpRequest, codename: str) -> None:
    """Start a fresh session holding the codename, split between cookie and row."""
    request.session.cycle_key()
    request.session.pop(SESSION_FAILURES, None)
    session_secrets.hold(request, CODENAME, codename.encode())


def sign_out(request: HttpRequest) -> None:
    """End the requester's part of the session; a staff member signed in in the
    same browser stays signed in (their part is not the portal's to end)."""
    if request.session.get("_auth_user_id"):
        session_secrets.drop(request, CODENAME)
        session_secrets.drop(request, NEW_CODENAME)
        request.session.pop(SESSION_FAILURES, None)
        return
    session_secrets.forget_all(request, CODENAME, NEW_CODENAME)


def current(request: HttpRequest) -> tuple[actions.Requester, actions.Identity, str] | None:
    try:
        codename = session_secrets.release(request, CODENAME).decode()
    except session_secrets.NotHeld:
        return None
    found = actions.find_requester(codename)
    if found is None:
        return None
    return found[0], found[1], codename


def requester_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        found = current(request)
        if found is None:
            sign_out(request)
            return redirect("intake:sign_in")
        request.requester, request.requester_identity, request.codename = found  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


# Throttling without addresses. An 84-bit codename cannot be guessed, so the
# limits are not what protects it: they keep a flood of wrong guesses cheap to
# answer. A right codename is checked first and always opens; wrong ones are
# counted (a small allowance per browser session, one global budget per
# minute), and past either they get a 503 saying when to retry, without the
# database write a counted failure costs. Dropping cookies escapes the
# per-session allowance, but not the global one, and neither refuses anyone
# who knows their codename.
SESSION_LIMIT = 5


def busy_for(request: HttpRequest) -> int:
    """Seconds a wrong guess should wait (0: answer it as usual)."""
    now = clock.now()
    wait = max(1, 60 - now.second)
    if request.session.get(SESSION_FAILURES, 0) >= SESSION_LIMIT:
        return wait
    row = PortalThrottle.objects.filter(minute=_minute()).first()
    if row and row.failures >= settings.TROPA_PORTAL_FAILURES_PER_MINUTE:
        return wait
    return 0


def record_failure(request: HttpRequest) -> None:
    request.session[SESSION_FAILURES] = request.session.get(SESSION_FAILURES, 0) + 1
    minute = _minute()
    with transaction.atomic():
        updated = PortalThrottle.objects.filter(minute=minute).update(failures=F("failures") + 1)
        if not updated:
            PortalThrottle.objects.get_or_create(minute=minute, defaults={"failures": 1})
        PortalThrottle.objects.filter(minute__lt=minute).delete()


def _minute():  # type: ignore[no-untyped-def]
    return clock.now().replace(second=0, microsecond=0)
