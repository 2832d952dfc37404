"""The case page and its actions. (Being written.)"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


case_list = case_page = reply = note = upload = download = status = assign = unassign = _todo
reveal = add_task = task_done = templates = template_edit = _todo
