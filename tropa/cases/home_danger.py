"""The home block of colleagues marked in danger in the last weeks: for the
coordinators of their team, and for admins (every team). Plaintext only."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tropa.accounts.models import Role, Staff
from tropa.core import clock
from tropa.core.home import LINES, Block, Line

SHOWN_FOR = timedelta(days=30)


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role not in (Role.ADMIN, Role.COORDINATOR):
        return []
    marked = Staff.objects.filter(in_danger_at__gte=clock.now() - SHOWN_FOR)
    if staff.role == Role.COORDINATOR:
        marked = marked.filter(team_id=staff.team_id)
    rows = list(marked.order_by("-in_danger_at")[:LINES])
    if not rows:
        return []
    return [
        Block(
            "in-danger",
            _("Colleagues marked in danger"),
            len(rows),
            [
                Line(
                    person.username,
                    reverse("accounts:person", args=[person.pk]),
                    _("their open cases are now unassigned"),
                    when=person.in_danger_at,
                    tone="danger",
                )
                for person in rows
            ],
            tone="danger",
            order=2,
        )
    ]
