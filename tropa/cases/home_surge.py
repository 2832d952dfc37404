"""The staff home's surge block: the queue and how fast it grows, while surge
mode is on (tropa/cases/surge.py). Counts from plaintext metadata only."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tropa.accounts.models import Role, Staff
from tropa.cases import surge as surge_actions
from tropa.core import surge
from tropa.core.home import Block, Line


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role not in (Role.COORDINATOR, Role.TRIAGE, Role.ADMIN) or not surge.current().on:
        return []
    grown = surge_actions.growth()
    trend = grown.last_hour - grown.hour_before
    lines = [
        Line(
            _("Received this hour and the last: %(n)d") % {"n": grown.last_hour},
            reverse("cases:inbox"),
            note=(_("+%(n)d on the hour before") % {"n": trend}) if trend > 0 else "",
            tone="warn" if trend > 0 else "",
        ),
        Line(_("The hour before: %(n)d") % {"n": grown.hour_before}),
        Line(_("The last 24 hours: %(n)d") % {"n": grown.last_day}),
    ]
    if staff.role != Role.TRIAGE:
        lines.append(Line(_("Surge mode: switch, words, volunteers"), reverse("cases:surge")))
    return [
        Block(
            "surge",
            _("Surge mode is on: requests waiting for triage"),
            grown.waiting,
            lines,
            more_url=reverse("cases:inbox"),
            empty=_("No request waits for triage."),
            tone="warn",
            order=5,
        )
    ]
