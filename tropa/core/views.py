from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tropa.core.access import public
from tropa.core.language import LANGUAGE_CHOSEN, remember_language


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


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
    return render(request, "core/staff_home.html")


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
    return render(request, "core/server_error.html", status=500)


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
