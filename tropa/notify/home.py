"""The outbox's home block: notifications that keep failing (admins and coordinators)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tropa.accounts.models import Role, Staff
from tropa.core.home import LINES, Block, Line
from tropa.notify.models import Outbox
from tropa.notify.outbox import FAILING_AFTER


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role not in (Role.ADMIN, Role.COORDINATOR):
        return []
    failing = Outbox.objects.filter(attempts__gte=FAILING_AFTER, delivered_at__isnull=True)
    rows = list(failing.select_related("staff").order_by("next_attempt_at")[:LINES])
    return [
        Block(
            "failed-deliveries",
            _("Notifications that keep failing"),
            failing.count(),
            [
                Line(
                    row.staff.username,
                    note=f"{row.get_kind_display()} · {row.channel} · {row.last_error}",
                    when=row.created_at,
                    tone="warn",
                )
                for row in rows
            ],
            empty=_("Every notification was delivered."),
            tone="warn",
            order=20 if staff.role == Role.ADMIN else 70,
        )
    ]
