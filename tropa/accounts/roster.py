"""The duty roster: who is the team's duty coordinator at a given moment.

A team's roster is a weekly pattern (a coordinator, a weekday, from, to) and
exceptions on dates: an extra shift, or a day a weekly shift does not hold
("off"). The escalation ladder's duty step asks `on_duty`: with a roster, the
people on shift now, and nobody (so every coordinator of the team) when the
moment falls between shifts; without a roster, the team's single duty
coordinator as before. Times are the helpline's (TIME_ZONE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from tropa.accounts.models import Role, Shift, Staff, Team
from tropa.audit.log import record
from tropa.audit.models import Action


class Refused(ValueError):
    """A shift that cannot be kept, said in the user's language."""


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))


def _covers(starts: time, ends: time, at: time, *, from_yesterday: bool) -> bool:
    """Whether a shift starting on a day covers `at`, on that day or, for a shift
    past midnight, on the next (`from_yesterday`)."""
    overnight = ends <= starts
    if from_yesterday:
        return overnight and at < ends
    return starts <= at < ends if not overnight else at >= starts


def has_roster(team: Team) -> bool:
    return Shift.objects.filter(team=team, off=False).exists()


def on_duty(team: Team, moment: datetime) -> list[Staff]:
    """The active coordinators of `team` on shift at `moment`."""
    local = _local(moment)
    today, yesterday, at = local.date(), local.date() - timedelta(days=1), local.time()
    shifts = Shift.objects.filter(team=team, staff__is_active=True).select_related("staff")
    off = {(s.staff_id, s.on) for s in shifts if s.off}
    people: dict[object, Staff] = {}
    for shift in shifts:
        if shift.off or shift.staff.role != Role.COORDINATOR:
            continue
        for day, carried in ((today, False), (yesterday, True)):
            held = shift.on == day if shift.on else shift.weekday == day.weekday()
            if shift.on is None and (shift.staff_id, day) in off:
                held = False
            if held and _covers(shift.starts, shift.ends, at, from_yesterday=carried):
                people[shift.staff_id] = shift.staff
    return sorted(people.values(), key=lambda s: s.username)


@dataclass(frozen=True)
class ShiftPlan:
    staff: Staff
    starts: time
    ends: time
    weekday: int | None = None
    on: date | None = None
    off: bool = False


def add_shift(team: Team, plan: ShiftPlan, *, actor: Staff) -> Shift:
    if plan.staff.role != Role.COORDINATOR or plan.staff.team_id != team.pk:
        raise Refused
    if (plan.weekday is None) == (plan.on is None):
        raise Refused
    with transaction.atomic():
        shift = Shift.objects.create(
            team=team, staff=plan.staff, weekday=plan.weekday, on=plan.on,
            starts=plan.starts, ends=plan.ends, off=plan.off,
        )  # fmt: skip
        record(actor, Action.ROSTER_CHANGED, target=plan.staff)
    return shift


def remove_shift(team: Team, shift_id: int, *, actor: Staff) -> bool:
    with transaction.atomic():
        shift = Shift.objects.filter(team=team, pk=shift_id).select_related("staff").first()
        if shift is None:
            return False
        shift.delete()
        record(actor, Action.ROSTER_CHANGED, target=shift.staff)
    return True
