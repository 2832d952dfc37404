"""The admin's home blocks (health: loops, locked and disabled accounts)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tropa.accounts.models import LoginThrottle, Role, Staff
from tropa.core import clock
from tropa.core.heartbeats import stale_loops
from tropa.core.home import LINES, Block, Line
from tropa.keyring.models import Envelope


def loops_block() -> Block:
    stale = stale_loops()
    return Block(
        "loops",
        _("Background work that stopped"),
        len(stale),
        [
            Line(
                str(s.loop.label),
                note=_("never ran") if s.last_seen is None else _("last seen"),
                when=s.last_seen,
                tone="danger",
            )
            for s in stale
        ],
        empty=_("The watcher and the bot are running."),
        tone="danger",
        order=10,
    )


def locked_block() -> Block:
    # Keyed by a hash of the typed name (accounts/models.py): a count, no names.
    locked = LoginThrottle.objects.filter(locked_until__gt=clock.now()).count()
    return Block(
        "locked",
        _("Sign-in names locked after wrong passwords"),
        locked,
        empty=_("No sign-in name is locked."),
        tone="warn",
        order=30,
    )


def disabled_with_keys_block() -> Block:
    people = Staff.objects.filter(
        is_active=False, pk__in=Envelope.objects.values("staff_id")
    ).order_by("username")
    rows = list(people[:LINES])
    return Block(
        "disabled-keys",
        _("Disabled accounts still holding case key copies"),
        people.count(),
        [Line(p.username, reverse("accounts:person", args=[p.pk]), tone="warn") for p in rows],
        empty=_("No disabled account holds a key copy."),
        tone="warn",
        order=40,
    )


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role == Role.ADMIN:
        return [loops_block(), locked_block(), disabled_with_keys_block()]
    return []
