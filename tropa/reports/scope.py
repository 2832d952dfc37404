"""What a view of the statistics is filtered by (a Scope: whole months,
optionally one team, channel, situation), the helpline's today, and the sums
of the tally a view reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from tropa.accounts.models import Team
from tropa.core import clock, tally
from tropa.core.models import Tally
from tropa.reports.tables import month_label, months_between


def today() -> date:
    return tally.local_day(clock.now())


@dataclass(frozen=True)
class Scope:
    start: date  # the first day of the first month
    end: date  # the first day of the last month
    team: int | None = None
    channel: str = ""
    situation: str = ""

    @property
    def last_day(self) -> date:
        return (self.end.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)

    @property
    def begins(self) -> datetime:
        """The first moment of the first month, in the helpline's time zone."""
        return datetime.combine(self.start, time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def ends(self) -> datetime:
        """The first moment after the last month."""
        return datetime.combine(
            self.last_day + timedelta(days=1), time(0), tzinfo=ZoneInfo(settings.TIME_ZONE)
        )

    def tally(self, measure: str, *, by_month: bool = True) -> QuerySet[Tally]:
        rows = Tally.objects.filter(measure=measure)
        if by_month:
            rows = rows.filter(day__gte=self.start, day__lte=self.last_day)
        if self.team is not None:
            rows = rows.filter(team=self.team)
        if self.channel:
            rows = rows.filter(channel=self.channel)
        if self.situation:
            rows = rows.filter(situation=self.situation)
        return rows

    def months(self) -> list[tuple[str, str]]:
        return [(m.isoformat(), month_label(m)) for m in months_between(self.start, self.end)]


def by(rows: QuerySet[Tally], *fields: str) -> dict[tuple[str, ...], int]:
    found: dict[tuple[str, ...], int] = defaultdict(int)
    for row in rows.values(*fields).annotate(total=Sum("n")):
        found[tuple(str(row[f]) for f in fields)] += row["total"]
    return found


def teams(scope: Scope) -> list[tuple[str, str]]:
    chosen = Team.objects.order_by("name")
    if scope.team is not None:
        chosen = chosen.filter(pk=scope.team)
    return [*[(str(t.pk), str(t)) for t in chosen], ("0", str(_("Not yet triaged")))]
