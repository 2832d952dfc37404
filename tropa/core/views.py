from __future__ import annotations

import logging
import sys
from urllib.parse import quote

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from tropa.core import self_help, surge
from tropa.core.access import public
from tropa.core.home import blocks_for
from tropa.core.language import LANGUAGE_CHOSEN, remember_language
from tropa.core.models import Surge

log = logging.getLogger("tropa")


def _self_help(state: Surge) -> dict[str, object]:
    language = (get_language() or "ru")[:2]
    text = state.self_help.get(language, "") if isinstance(state.self_help, dict) else ""
    return {"busy": self_help.BUSY, "parts": self_help.PARTS, "own_words": text}


@public
def home(request: HttpRequest) -> HttpResponse:
    """The public start page; in surge mode it answers at once with the
    self-help words above the way in."""
    state = surge.current()
    context = {"surge": state.on, **(_self_help(state) if state.on else {})}
    return render(request, "core/home.html", context)


@public
def self_help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/self_help.html", _self_help(surge.current()))


@public
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(target)
    remember_language(response, language)
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        for keep in LANGUAGE_CHOSEN:  # a staff member's own setting (tropa/accounts/wiring.py)
            keep(request.user, language)
    return response


def staff_home(request: HttpRequest) -> HttpResponse:
    """What needs the signed-in person now, by role (tropa/core/home.py)."""
    return render(request, "core/staff_home.html", {"blocks": blocks_for(request)})


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form expired or cookies are off: say so kindly, never a bare 403."""
    return render(request, "core/csrf_failure.html", status=403)


@public
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Too large, or broken on the way: say what to do; the browser still has the text."""
    return render(request, "core/bad_request.html", status=400)


@public
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/not_found.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500, unless the database is what failed: then 503 and nothing typed is lost."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        return unavailable(request)
    return render(request, "core/server_error.html", status=500)


# Fields never shown back as text (they stay in the hidden resend fields only).
_NEVER_SHOWN = {"codename", "word", "csrfmiddlewaretoken"}


def unavailable(request: HttpRequest) -> HttpResponse:
    """The database is unreachable: 503, in the person's language, with what they sent.

    Rendered without the request's context (no session, no user): both live in
    the database that just failed. The POST fields come back as a form that
    sends them again; long texts are shown too, so they can be copied.
    """
    error = sys.exc_info()[1]
    log.error("the database failed (%s); answered 503", type(error).__name__ if error else "?")
    kept: list[tuple[str, str]] = []
    long_texts: list[str] = []
    had_files = False
    if request.method == "POST":
        try:
            post, files = request.POST, request.FILES
        except Exception:  # noqa: BLE001 - a body we cannot read again keeps nothing
            post, files = QueryDict(), {}
        had_files = bool(files)
        for name, values in post.lists():
            if name == "csrfmiddlewaretoken":
                continue
            for value in values:
                kept.append((name, value))
                if name not in _NEVER_SHOWN and ("\n" in value or len(value) > 80):
                    long_texts.append(value)
    context = {
        "language": get_language() or settings.LANGUAGE_CODE,
        "action": request.path,
        "kept": kept,
        "long_texts": long_texts,
        "had_files": had_files,
        "csrf_token": request.POST.get("csrfmiddlewaretoken", "")
        if request.method == "POST"
        else "",
    }
    response = HttpResponse(render_to_string("core/unavailable.html", context), status=503)
    response["Retry-After"] = "60"
    return response


def posted(request: HttpRequest) -> object:
    """The POST data to bind a form to, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


def file_download(data: bytes, name: str) -> HttpResponse:
    """A decrypted file, always as a download (never shown inline), with its name kept."""
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
