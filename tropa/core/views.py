from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tropa.core.access import public


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


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
