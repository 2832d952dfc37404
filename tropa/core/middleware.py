"""Response headers and language choice for every page."""

from __future__ import annotations

import codecs
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_header_parameters

from tropa.core import languages
from tropa.core.views import bad_request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Strict CSP, no referrer, no framing, and nothing stored by any cache.

    Every dynamic page may carry case or account data, so every one is
    `no-store`; only static files (served by WhiteNoise below this middleware,
    which adds its own caching headers) may be cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.path.startswith(settings.STATIC_URL):
            response.headers["Cache-Control"] = "no-store, max-age=0"
            response.headers["Pragma"] = "no-cache"
        return response


class LanguageMiddleware:
    """Russian unless the person chose otherwise with the language switch;
    staff pages in Russian or English whatever a requester language chosen.

    Django's LocaleMiddleware would follow Accept-Language, but Tor Browser
    always sends en-US, and requester pages must default to Russian.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if request.path.startswith("/staff/"):  # staff pages speak Russian and English
            language = languages.staff_language(language)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


def _text_charset(content_type: str) -> bool:
    """Whether a Content-Type's charset (if it names one) is a text encoding we know."""
    _kind, params = parse_header_parameters(content_type)
    charset = params.get("charset")
    if charset is None:
        return True
    try:
        return codecs.lookup(charset)._is_text_encoding
    except LookupError:
        return False


class RefuseUnreadableBodies:
    """A body in a charset Python does not know (rot13, zlib...) is refused with 400.

    Django would fail reading it (LookupError) inside the CSRF check, before
    any view: a 500 that anyone could cause on every form.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _text_charset(request.META.get("CONTENT_TYPE", "")):
            return bad_request(request)
        return self.get_response(request)
