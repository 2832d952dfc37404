"""The admin's home blocks (health: loops, backups, locked and disabled accounts)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from tropa.accounts import backups, handover
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


def backup_block() -> Block:
    """How old the last encrypted backup is: red when there is none, amber
    when it is older than two scheduled intervals."""
    age = backups.last_backup_age()
    limit = timedelta(hours=2 * settings.TROPA_BACKUP_HOURS)
    if age is None:
        line = Line(_("No backup has been made yet: tropa backup, or set TROPA_BACKUP_DIR."))
        return Block("backup", _("Backups"), 1, [line], tone="danger", order=20)
    said = _("The last backup is %(age)s old.") % {"age": timesince(clock.now() - age, clock.now())}
    if age > limit:
        return Block("backup", _("Backups"), 1, [Line(said, tone="warn")], tone="warn", order=20)
    return Block("backup", _("Backups"), 0, empty=said, order=20)


def handover_block(staff: Staff) -> Block:
    """Notes left by the team's other duty coordinators in the last days (a
    count and the newest's author and time; the text is read on its page)."""
    count, newest = handover.recent_count(staff)
    url = reverse("accounts:handover")
    lines = []
    if newest is not None:
        said = _("From %(name)s") % {"name": newest.author.username}
        lines = [Line(said, url, when=newest.written_at)]
    return Block(
        "handover",
        _("Handover notes from the last shifts"),
        count,
        lines,
        more_url=url,
        empty=_("No handover note in the last three days."),
        order=25,
    )


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role == Role.ADMIN:
        return [loops_block(), backup_block(), locked_block(), disabled_with_keys_block()]
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        return [handover_block(staff)]
    return []
