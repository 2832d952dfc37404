"""Triage for coordinators: the inbox of new requests. (Being written.)"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


inbox = bulk_discard = discarded = accept = merge = discard = restore = _todo
