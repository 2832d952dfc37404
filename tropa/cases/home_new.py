"""The new-requests block of a coordinator's home (tropa/cases/home.py):
how many wait in each priority band, and the first few. Plaintext only."""

from __future__ import annotations

from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from tropa.cases.models import Case, Status
from tropa.core import clock
from tropa.core.home import LINES, Block, Line, capped_counts, shown

# Priority bands of new requests (tropa/intake/triage.py scores 0-100).
URGENT, HIGH = 60, 40


def waited(since: object) -> str:
    return _("waiting %(time)s") % {"time": timesince(since, clock.now(), depth=1)}  # type: ignore[arg-type]


def new_requests_block() -> Block:
    new = Case.objects.filter(status=Status.NEW)
    # Three ranges of the inbox index (status, priority), each counted no
    # further than the cap, on a column of the index ("pk" would read every row)
    priority = new.values("priority")
    bands = capped_counts(
        {
            "urgent": priority.filter(priority__gte=URGENT),
            "high": priority.filter(priority__gte=HIGH, priority__lt=URGENT),
            "normal": priority.filter(priority__lt=HIGH),
        }
    )
    top = list(
        new.order_by("-priority", "received_at").only("id", "priority", "received_at")[:LINES]
    )
    inbox = reverse("cases:inbox")
    return Block(
        "new",
        _("New requests"),
        sum(bands.values()),
        [
            Line(
                _("Urgent: %(n)s") % {"n": shown(bands["urgent"])},
                inbox,
                tone="danger" if bands["urgent"] else "",
            ),
            Line(_("High: %(n)s") % {"n": shown(bands["high"])}, inbox),
            Line(_("Normal: %(n)s") % {"n": shown(bands["normal"])}, inbox),
        ]
        + [
            Line(
                _("Priority %(p)s") % {"p": c.priority},
                inbox + f"#request-{c.pk}",
                waited(c.received_at),
                tone="danger" if c.priority >= URGENT else "",
            )
            for c in top[:3]
        ],
        more_url=inbox,
        empty=_("No new requests."),
        tone="warn",
        order=15,
    )
