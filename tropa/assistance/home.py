"""The staff home's block of applications that need action: a date within a
week or passed, or a document missing after submission. Plaintext only."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tropa.accounts.models import Role, Staff
from tropa.assistance import queries
from tropa.assistance.models import Route
from tropa.core.home import LINES, Block, Line


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role not in (Role.CONSULTANT, Role.COORDINATOR):
        return []
    now = queries.today()
    apps = queries.listing(staff, queries.Filters(needs_action=True))
    total = apps.count()
    lines = []
    for app in apps[:LINES] if total else []:
        row = queries.row(app, now)
        if row.passed:
            note, tone = _("date passed"), "danger"
        elif row.soon:
            note, tone = _("date soon"), "warn"
        else:
            note, tone = _("documents missing"), "warn"
        lines.append(
            Line(
                f"{app.case.alias or app.case_id} · {row.country}, {Route(app.route).label}",
                reverse("assistance:application", args=[app.case_id, app.pk]),
                note,
                tone=tone,
            )
        )
    return [
        Block(
            "applications",
            _("Applications that need action"),
            total,
            lines,
            more_url=reverse("assistance:applications") + "?needs_action=on",
            empty=_("No application needs action."),
            tone="warn",
            order=45,
        )
    ]
