"""The journey blocks of the staff home: open alerts, and check-ins coming due.

Counts and rows are plaintext metadata (alerts, deadlines). The one thing
decrypted is what the open check-in alerts shown said, with the viewer's own
key: a duress signal is sealed (docs/security.md), and the home page must say
it in red all the same. At most `LINES` of them, so the cost stays small.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tropa.accounts.current import keys_of
from tropa.accounts.models import Role, Staff
from tropa.cases.home import case_url, name_of, scope
from tropa.core import clock
from tropa.core.home import LINES, Block, Line
from tropa.journeys import actions
from tropa.journeys.models import Alert, AlertKind, CheckInKind, Leg, LegStatus
from tropa.journeys.queries import AlertRow
from tropa.keyring.actions import open_keyrings

CHECKINS_AHEAD = timedelta(hours=6)


def _label(alert: Alert, said: CheckInKind | None) -> tuple[str, str, str]:
    """(what the line says, its tone, a warning above it)."""
    if alert.kind == AlertKind.MISSED:
        return _("missed check-in"), "danger", ""
    if alert.kind == AlertKind.ROUTE:
        return _("a route point on the journey changed: see its backup plan"), "danger", ""
    if said == CheckInKind.DURESS:
        warning = _(
            "DURESS: the requester may be forced to write. "
            "Do not reply in a way that shows we know."
        )
        return _("check-in with the duress word"), "danger", warning
    if said == CheckInKind.HELP:
        return _("asked for help"), "danger", ""
    if said == CheckInKind.SAFE:
        return _("check-in to mark seen: safe"), "", ""
    return _("check-in to review"), "danger", ""


def open_alerts(staff: Staff) -> QuerySet[Alert]:
    return Alert.objects.filter(
        acknowledged_at__isnull=True, case__in=scope(staff).values("pk")
    ).select_related("case__keyring", "checkin")


def alerts_block(request: HttpRequest, staff: Staff) -> Block:
    alerts = open_alerts(staff)
    shown = list(alerts.order_by("raised_at")[: LINES * 3])
    rings = {alert.case.keyring_id: alert.case.keyring for alert in shown if alert.checkin}
    opened = open_keyrings(list(rings.values()), staff, keys_of(request))
    rows = []
    for alert in shown:
        keys = opened.get(alert.case.keyring_id)
        said = actions.read_said(alert.checkin, keys) if alert.checkin and keys else None
        rows.append(AlertRow(alert, said))
    rows.sort(key=lambda row: (row.urgency, row.alert.raised_at))  # as the case page orders them
    lines = []
    for row in rows[:LINES]:
        alert = row.alert
        note, tone, warning = _label(alert, row.said)
        lines.append(
            Line(
                name_of(alert.case),
                case_url(alert.case_id) + "#alerts",
                note,
                alert.raised_at,
                tone,
                warning,
            )
        )
    return Block(
        "alerts",
        _("Open alerts on my cases")
        if staff.role == Role.CONSULTANT
        else _("Open alerts in the team"),
        alerts.count(),
        lines,
        more_url=reverse("journeys:journeys"),
        empty=_("No open alerts."),
        tone="danger",
        order=10,
    )


def checkins_block(staff: Staff) -> Block:
    now = clock.now()
    legs = (
        Leg.objects.filter(
            status=LegStatus.ACTIVE,
            next_checkin_due__isnull=False,
            next_checkin_due__lte=now + CHECKINS_AHEAD,
            plan__case__in=scope(staff).values("pk"),
        )
        .select_related("plan__case")
        .order_by("next_checkin_due")
    )
    rows = list(legs[:LINES])
    return Block(
        "checkins",
        _("Check-ins due in the next 6 hours"),
        legs.count(),
        [
            Line(
                name_of(leg.plan.case),
                case_url(leg.plan.case_id) + "#journey",
                _("overdue") if leg.next_checkin_due < now else _("due"),
                leg.next_checkin_due,
                "danger" if leg.next_checkin_due < now else "",
            )
            for leg in rows
        ],
        more_url=reverse("journeys:journeys"),
        empty=_("No check-in is due soon."),
        order=12,
    )


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role not in (Role.CONSULTANT, Role.COORDINATOR):
        return []
    return [alerts_block(request, staff), checkins_block(staff)]
