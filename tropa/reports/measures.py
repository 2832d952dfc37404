"""The analyst's dashboard: each view a table of counts, read from the tally
(tropa/core/tally.py) and, for what has no month (applications, referrals),
from a few small coded columns. Nothing is decrypted, no case row is shown:
every figure is a sum.

A view's filters are a Scope (tropa/reports/scope.py); a coordinator's is
always their own team's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa.assistance import countries
from tropa.assistance.models import Application, Referral, ReferralStatus, Route, ServiceKind
from tropa.assistance.models import Outcome as ApplicationOutcome
from tropa.cases import stats as case_stats
from tropa.cases.models import BuiltinLabel, Channel, Label, Outcome, RegionGroup, Situation, Status
from tropa.journeys import stats as journey_stats
from tropa.reports.scope import Scope, by, teams
from tropa.reports.tables import Table, choices, grid

# How many days the surge view shows, and over how many it averages.
SURGE_DAYS = 90
MEAN_OF = 7
WEEKS = 26

JOURNEY_STATES = [
    (journey_stats.STARTED, gettext_lazy("Started")),
    (journey_stats.COMPLETED, gettext_lazy("Completed")),
    (journey_stats.FAILED, gettext_lazy("Failed")),
]
SPAN_LABELS = {
    "0-7": gettext_lazy("under a week"),
    "7-30": gettext_lazy("1 to 4 weeks"),
    "30-90": gettext_lazy("1 to 3 months"),
    "90-180": gettext_lazy("3 to 6 months"),
    "180+": gettext_lazy("more than 6 months"),
}
WAIT_LABELS = {
    "0-1": gettext_lazy("within 1 hour"),
    "1-4": gettext_lazy("1 to 4 hours"),
    "4-24": gettext_lazy("4 to 24 hours"),
    "24-72": gettext_lazy("1 to 3 days"),
    "72+": gettext_lazy("more than 3 days"),
}


def _monthly(
    scope: Scope, measure: str, column: str, columns: list[tuple[str, str]]
) -> list[list[int]]:
    counts = by(scope.tally(measure), "day", column)
    return grid(scope.months(), columns, counts)  # type: ignore[arg-type]


def requests_by_situation(scope: Scope) -> Table:
    columns = choices(Situation.choices, lambda k: not scope.situation or k == scope.situation)
    return Table(
        "requests-situation",
        _("Requests per month, by situation"),
        _("Month"),
        scope.months(),
        columns,
        _monthly(scope, case_stats.RECEIVED, "situation", columns),
        note=_(
            "Requests that came in each month, as the person described their situation; junk "
            "and duplicates are not counted."
        ),
    )


def requests_by_channel(scope: Scope) -> Table:
    columns = choices(Channel.choices, lambda k: not scope.channel or k == scope.channel)
    return Table(
        "requests-channel",
        _("Requests per month, by channel"),
        _("Month"),
        scope.months(),
        columns,
        _monthly(scope, case_stats.RECEIVED, "channel", columns),
    )


def requests_by_week(scope: Scope) -> Table:
    """The last WEEKS weeks of the period."""
    last = scope.last_day - timedelta(days=scope.last_day.weekday())
    first = max(
        scope.start - timedelta(days=scope.start.weekday()), last - timedelta(weeks=WEEKS - 1)
    )
    rows = scope.tally(case_stats.RECEIVED_DAY, by_month=False).filter(
        day__gte=first, day__lte=scope.last_day
    )
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (day, situation), n in by(rows, "day", "situation").items():
        moment = date.fromisoformat(day)
        weeks[moment - timedelta(days=moment.weekday())][situation] += n
    columns = choices(Situation.choices, lambda k: not scope.situation or k == scope.situation)
    starts = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return Table(
        "requests-week",
        _("Requests per week, by situation"),
        _("Week from"),
        [(w.isoformat(), formats.date_format(w, "j M Y")) for w in starts],
        columns,
        [[weeks[w][c] for c, _l in columns] for w in starts],
        note=_("The last 26 weeks of the period."),
    )


def outcomes(scope: Scope) -> Table:
    columns = choices(Outcome.choices)
    return Table(
        "outcomes",
        _("Cases closed per month, by outcome"),
        _("Month"),
        scope.months(),
        columns,
        _monthly(scope, case_stats.CLOSED, "value", columns),
        note=_("Counted in the month the case was closed."),
    )


def _crossed(
    key: str, title: str, row_title: str, rows: list[tuple[str, str]],
    columns: list[tuple[str, str]], counts: dict[tuple[str, ...], int], note: str,
) -> Table:  # fmt: skip
    """A table of one category against another, drawn as bars of the row totals."""
    cells = grid(rows, columns, counts)  # type: ignore[arg-type]
    return Table(key, title, row_title, rows, columns, cells, chart="bars", note=note)


def _per_team(scope: Scope, measure: str, *, untriaged: bool = False, now: bool = False) -> tuple:
    """Rows of teams (and "not yet triaged"), and the counts of `measure` by team and value."""
    rows = [r for r in teams(scope) if untriaged or r[0] != "0"]
    return rows, by(scope.tally(measure, by_month=not now), "team", "value")


def outcomes_by_region(scope: Scope) -> Table:
    by_team = Scope(scope.start, scope.end, scope.team)
    counts = by(by_team.tally(case_stats.CLOSED_REGION), "region", "value")
    return _crossed(
        "outcomes-region",
        _("Cases closed in the period, by region group and outcome"),
        _("Region group"),
        choices(RegionGroup.choices),
        choices(Outcome.choices),
        counts,
        _("By team only: not narrowed by channel or situation."),
    )


def caseload(scope: Scope) -> Table:
    """Open now: not limited by the months chosen."""
    shown = (Status.NEW, Status.TRIAGED, Status.ACTIVE, Status.IN_TRANSIT, Status.SAFE)
    rows, counts = _per_team(scope, case_stats.OPEN, untriaged=True, now=True)
    return _crossed(
        "caseload",
        _("Open caseload now, by team"),
        _("Team"),
        rows,
        choices((s.value, s.label) for s in shown),
        counts,
        _("Cases open today, whatever months are chosen; new requests are not yet in a team."),
    )


def first_response(scope: Scope) -> Table:
    rows, counts = _per_team(scope, case_stats.FIRST_RESPONSE)
    return _crossed(
        "first-response",
        _("Time to first response, by team"),
        _("Team"),
        rows,
        [(k, str(v)) for k, v in WAIT_LABELS.items()],
        counts,
        _(
            "Requests that came in during the period and have had a first answer, by how "
            "long the person waited for it."
        ),
    )


def time_to_close(scope: Scope) -> Table:
    rows, counts = _per_team(scope, case_stats.TIME_TO_CLOSE)
    return _crossed(
        "time-to-close",
        _("Time from request to closing, by team"),
        _("Team"),
        rows,
        [(k, str(v)) for k, v in SPAN_LABELS.items()],
        counts,
        _("Cases closed in the period, by how long they were open."),
    )


def journeys(scope: Scope) -> Table:
    columns = [(k, str(v)) for k, v in JOURNEY_STATES]
    plain = Scope(scope.start, scope.end, scope.team)  # journeys have no channel or situation
    return Table(
        "journeys",
        _("Journeys per month"),
        _("Month"),
        scope.months(),
        columns,
        _monthly(plain, journey_stats.JOURNEY, "value", columns),
        totals=False,
        note=_(
            "A journey starts with its first leg, is completed when every leg is done, and "
            "failed when a leg fails."
        ),
    )


def surge(scope: Scope, today: date) -> Table:
    last = min(scope.last_day, today)
    first = max(scope.start, last - timedelta(days=SURGE_DAYS - 1))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    rows = scope.tally(case_stats.RECEIVED_DAY, by_month=False).filter(
        day__gte=first - timedelta(days=MEAN_OF - 1), day__lte=last
    )
    per_day = {k[0]: n for k, n in by(rows, "day").items()}
    counts = []
    for day in days:
        window = [per_day.get((day - timedelta(days=i)).isoformat(), 0) for i in range(MEAN_OF)]
        counts.append([per_day.get(day.isoformat(), 0), round(sum(window) / MEAN_OF, 1)])
    return Table(
        "surge",
        _("Requests per day, with the 7-day mean"),
        _("Day"),
        [(d.isoformat(), formats.date_format(d, "j M")) for d in days],
        [("day", _("Requests")), ("mean", _("7-day mean"))],
        counts,
        totals=False,
        note=_("The last 90 days of the period: a mobilisation shows here first."),
    )


def _applications(scope: Scope, by_what: str) -> dict[tuple[str, ...], int]:
    """Applications opened in the period, counted by `by_what` and outcome."""
    found = Application.objects.filter(created_at__gte=scope.begins, created_at__lt=scope.ends)
    if scope.team is not None:
        found = found.filter(team_id=scope.team)
    return {
        (r[by_what], r["outcome"]): r["n"]
        for r in found.values(by_what, "outcome").annotate(n=Count("pk"))
    }


def _decisions() -> list[tuple[str, str]]:
    return [("", _("Pending")), *choices(ApplicationOutcome.choices)]


def applications(scope: Scope) -> Table:
    """Applications to safer countries opened in the period, by country and outcome."""
    counts = _applications(scope, "country")
    found = sorted({c for c, _o in counts}, key=countries.name)
    return _crossed(
        "applications",
        _("Applications to safer countries opened in the period, by country and outcome"),
        _("Country"),
        [(c, countries.name(c)) for c in found],
        _decisions(),
        counts,
        "",
    )


def application_routes(scope: Scope) -> Table:
    return _crossed(
        "application-routes",
        _("Applications opened in the period, by route and outcome"),
        _("Route"),
        choices(Route.choices),
        _decisions(),
        _applications(scope, "route"),
        "",
    )


def referrals(scope: Scope) -> Table:
    """Referrals to partners as they stand now, by kind of service and status."""
    found = Referral.objects.all()
    if scope.team is not None:
        found = found.filter(case__team_id=scope.team)
    counts = {
        (r["kind"], r["status"]): r["n"]
        for r in found.values("kind", "status").annotate(n=Count("pk"))
    }
    return _crossed(
        "referrals",
        _("Referrals to partners, by kind of service and where they stand"),
        _("Kind of service"),
        choices(ServiceKind.choices),
        choices(ReferralStatus.choices),
        counts,
        _("All referrals to date, whatever months are chosen."),
    )


def labels(scope: Scope) -> Table:
    counts = by(scope.tally(case_stats.LABEL, by_month=False), "value")
    shown = Label.objects.filter(Q(team=None) | Q(team_id=scope.team) if scope.team else Q())
    rows = sorted(
        (
            (str(label.pk), str(label))
            for label in shown
            if not label.builtin or label.builtin in BuiltinLabel.values
        ),
        key=lambda pair: pair[1],
    )
    return Table(
        "labels",
        _("Cases carrying each label now"),
        _("Label"),
        rows,
        [("n", _("Cases"))],
        [[counts.get((key,), 0)] for key, _l in rows],
        chart="bars",
        totals=False,
        note=_("A case with two labels counts under both."),
    )


def dashboard(scope: Scope, today: date) -> list[Table]:
    return [
        requests_by_situation(scope),
        requests_by_channel(scope),
        requests_by_week(scope),
        surge(scope, today),
        outcomes(scope),
        outcomes_by_region(scope),
        caseload(scope),
        first_response(scope),
        time_to_close(scope),
        journeys(scope),
        applications(scope),
        application_routes(scope),
        referrals(scope),
        labels(scope),
    ]
