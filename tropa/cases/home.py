"""The case blocks of the staff home (tropa/core/home.py): who is waiting for
us, what is unread, tasks, new requests, and a coordinator's view of the team.

Plaintext metadata only, a few queries per block whatever the number of
cases: nothing here decrypts. Consultants see their own cases, coordinators
their team's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tropa.accounts.models import Role, Staff, Team
from tropa.cases import queries
from tropa.cases.home_new import new_requests_block, waited
from tropa.cases.models import OPEN_STATUSES, Assignment, Case, LastSeen, Status, Task
from tropa.core import clock
from tropa.core.home import LINES, Block, Line, capped_counts
from tropa.core.hours import hours_before


def case_url(case_id: object) -> str:
    return reverse("cases:case", args=[case_id])


def name_of(case: Case) -> str:
    return case.alias or _("case %(id)s") % {"id": str(case.pk)[:8]}


def my_queue(staff: Staff) -> QuerySet[Assignment]:
    """The person's assignments to open cases: their queue rows
    (tropa/cases/queue.py keeps them in step with the cases)."""
    return Assignment.objects.filter(staff=staff, is_open=True)


def team_cases(staff: Staff) -> QuerySet[Case]:
    """The open cases of a coordinator's team."""
    return Case.objects.filter(team_id=staff.team_id, status__in=OPEN_STATUSES)


def scope(staff: Staff) -> QuerySet[Case]:
    """A consultant's own open cases; a coordinator's team's."""
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        return team_cases(staff)
    return Case.objects.filter(pk__in=my_queue(staff).values("case_id"))


def targets(team: Team | None) -> tuple[object, object]:
    """The waits past which a first and a later answer are late, in consultant hours."""
    now = clock.now()
    first = team.first_response_hours if team else 24
    later = team.next_response_hours if team else 24
    # Counted in consultant hours: a message at midnight is not late by morning.
    return hours_before(now, first), hours_before(now, later)


def overdue_for_answer(team: Team | None) -> Q:
    """Cases past their team's first- or next-response target. (The first
    term is implied by the others; it makes the whole a range of the
    "case_waiting" index.)"""
    first, later = targets(team)
    return Q(waiting_since__lt=max(first, later)) & (  # type: ignore[type-var]
        Q(replied_at__isnull=True, waiting_since__lt=first)
        | Q(replied_at__isnull=False, waiting_since__lt=later)
    )


def lateness(team: Team | None) -> Callable[[object, object], bool]:
    """Whether a case waiting since then, last answered then, is past its
    target (the targets worked out once for the whole block)."""
    first, later = targets(team)

    def is_late(waiting_since: object, replied_at: object) -> bool:
        return waiting_since < (first if replied_at is None else later)  # type: ignore[operator]

    return is_late


def quiet_since(staff: Staff) -> tuple[Q, Q]:
    """Open cases with nothing from us for the team's "stale" days: last
    answered before then, or never answered and triaged before then (two
    ranges of the "open_quiet" index, counted apart: an OR of them would not
    use it)."""
    days = staff.team.stale_after_days if staff.team else 7
    cutoff = clock.now() - timedelta(days=days)
    return Q(replied_at__lt=cutoff), Q(replied_at__isnull=True, triaged_at__lt=cutoff)


def counts(staff: Staff, *wanted: str) -> dict[str, int]:
    """The counts the person's blocks need, each a range over one index (a
    consultant's over their own queue rows, a coordinator's over the team's
    open cases: the partial indexes on Case), read no further than the cap
    (tropa/core/home.py): past it the page says "1000+". All in one query."""
    waiting = team_cases(staff).filter(waiting_since__isnull=False)
    answered, never = quiet_since(staff)
    # Each counts a column of its index: "pk" would read every row.
    rows = {
        "mine": lambda: my_queue(staff).filter(waiting_since__isnull=False).values("waiting_since"),
        "unread": lambda: my_queue(staff).filter(unread_since__isnull=False).values("unread_since"),
        "waiting": lambda: waiting.values("waiting_since"),
        "late": lambda: waiting.filter(overdue_for_answer(staff.team)).values("waiting_since"),
        "stale": lambda: (
            team_cases(staff).filter(answered).values("replied_at"),
            team_cases(staff).filter(never).values("replied_at"),
        ),
        "unassigned": lambda: team_cases(staff).filter(staff_count=0).values("staff_count"),
    }
    return capped_counts({name: rows[name]() for name in wanted})


def waiting_block(staff: Staff, total: int, *, team: bool) -> Block:
    """The cases whose person wrote last, longest-waiting first: the team's
    for a coordinator, one's own otherwise."""
    rows: list[tuple[object, str, object, object]] = []
    is_late = lateness(staff.team)
    if total and team:
        cases = team_cases(staff).filter(waiting_since__isnull=False)
        rows = [
            (c.pk, name_of(c), c.waiting_since, c.replied_at)
            for c in cases.order_by("waiting_since", "pk").only(
                "id", "alias", "waiting_since", "replied_at"
            )[:LINES]
        ]
    elif total:
        mine = my_queue(staff).filter(waiting_since__isnull=False).select_related("case")
        rows = [
            (a.case_id, name_of(a.case), a.waiting_since, a.case.replied_at)
            for a in mine.order_by("waiting_since", "case_id").only(
                "case_id", "waiting_since", "case__alias", "case__replied_at"
            )[:LINES]
        ]
    return Block(
        "waiting",
        _("Waiting for our answer"),
        total,
        [
            Line(
                name,
                case_url(pk),
                waited(since),
                tone="danger" if is_late(since, replied) else "",
            )
            for pk, name, since, replied in rows
        ],
        more_url=reverse("cases:list") + "?status=waiting",
        empty=_("Nobody is waiting for an answer from us."),
        tone="warn",
        order=20,
    )


def unread_block(staff: Staff, total: int) -> Block:
    seen = LastSeen.objects.filter(staff=staff, case=OuterRef("case_id")).values("seq")[:1]
    rows = (
        list(
            my_queue(staff)
            .filter(unread_since__isnull=False)
            .select_related("case")
            .annotate(seen=Coalesce(Subquery(seen), 0))
            .only("case_id", "unread_since", "case__alias", "case__message_count")
            .order_by("unread_since", "case_id")[:LINES]
        )
        if total
        else []
    )
    return Block(
        "unread",
        _("New on my cases since I last looked"),
        total,
        [
            Line(
                name_of(a.case),
                case_url(a.case_id),
                ngettext("%(n)s new entry", "%(n)s new entries", new) % {"n": new},
                when=a.unread_since,
            )
            for a in rows
            for new in [max(a.case.message_count - a.seen, 1)]
        ],
        more_url=reverse("cases:list") + "?status=unread",
        empty=_("You have read everything on your cases."),
        order=30,
    )


def tasks_block(staff: Staff) -> Block:
    now = clock.now()
    tasks = (
        Task.objects.filter(
            owner=staff, done_at__isnull=True, due_at__lte=now + timedelta(hours=24)
        )
        .exclude(case__status__in=[Status.DELETED, Status.MERGED, Status.DISCARDED])
        .select_related("case")
        .order_by("due_at")
    )
    rows = list(tasks[:LINES])
    return Block(
        "tasks",
        _("My tasks due today or overdue"),
        tasks.count(),
        [
            Line(
                name_of(t.case),
                case_url(t.case_id) + "#tasks",
                _("overdue") if t.due_at < now else _("due"),
                when=t.due_at,
                tone="danger" if t.due_at < now else "",
            )
            for t in rows
        ],
        empty=_("No task is due."),
        tone="warn",
        order=40,
    )


def late_block(staff: Staff, total: int) -> Block:
    cases = team_cases(staff).filter(overdue_for_answer(staff.team)).order_by("waiting_since", "pk")
    rows = list(cases.only("id", "alias", "waiting_since", "replied_at")[:LINES]) if total else []
    return Block(
        "late",
        _("Past the team's response target"),
        total,
        [
            Line(
                name_of(c),
                case_url(c.pk),
                (_("no first answer yet") if c.replied_at is None else _("answer owed"))
                + " · "
                + waited(c.waiting_since),
                tone="danger",
            )
            for c in rows
        ],
        more_url=reverse("cases:list") + "?status=waiting",
        empty=_("Every case is within the team's response targets."),
        tone="danger",
        order=25,
    )


def unassigned_block(staff: Staff, total: int) -> Block:
    cases = team_cases(staff).filter(staff_count=0).order_by("triaged_at", "pk")
    rows = list(cases.only("id", "alias", "triaged_at")[:LINES]) if total else []
    return Block(
        "unassigned",
        _("Cases with nobody on them"),
        total,
        [Line(name_of(c), case_url(c.pk) + "#assignment", when=c.triaged_at) for c in rows],
        empty=_("Every open case has someone on it."),
        tone="warn",
        order=50,
    )


def stale_block(staff: Staff, total: int) -> Block:
    days = staff.team.stale_after_days if staff.team else 7
    # Never answered first (oldest triage first), then the longest quiet: two
    # ranges of the "case_quiet" index read in its order, one after the other
    # (as one OR, PostgreSQL sorts every quiet case: it keeps NULLs last).
    answered, never = quiet_since(staff)
    rows: list[Case] = []
    if total:
        fields = ("id", "alias", "replied_at", "triaged_at")
        quiet = team_cases(staff).only(*fields)
        rows = list(quiet.filter(never).order_by("triaged_at", "pk")[:LINES])
        if len(rows) < LINES:
            more = quiet.filter(answered).order_by("replied_at", "triaged_at", "pk")
            rows += list(more[: LINES - len(rows)])
    return Block(
        "stale",
        ngettext("Nothing from us for %(n)s day", "Nothing from us for %(n)s days or more", days)
        % {"n": days},
        total,
        [Line(name_of(c), case_url(c.pk), when=c.replied_at or c.triaged_at) for c in rows],
        empty=_("No open case has gone quiet."),
        order=60,
    )


def caseloads_block(staff: Staff) -> Block:
    people = list(Staff.objects.filter(team_id=staff.team_id, role=Role.CONSULTANT, is_active=True))
    loads = queries.caseloads(people)
    for person in people:
        person.n = loads.get(person.pk, 0)  # type: ignore[attr-defined]
    rows = sorted(people, key=lambda p: (-p.n, p.username))  # type: ignore[attr-defined]
    return Block(
        "caseloads",
        _("Open cases per consultant"),
        len(rows),
        [
            Line(
                person.username,
                "",
                ngettext("%(n)s case", "%(n)s cases", person.n) % {"n": person.n},
            )
            for person in rows[:LINES]
        ],
        empty=_("No consultants in your team yet."),
        order=90,
    )


def saved_views_block(staff: Staff) -> Block:
    views = list(staff.saved_views.order_by("name")[:LINES])
    return Block(
        "views",
        _("My saved views"),
        len(views),
        [Line(view.name, reverse("cases:list") + "?" + view.query) for view in views],
        more_url=reverse("cases:list"),
        empty=_("Save a filtered case list to find it here."),
        order=95,
    )


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role == Role.CONSULTANT:
        n = counts(staff, "mine", "unread")
        return [
            waiting_block(staff, n["mine"], team=False),
            unread_block(staff, n["unread"]),
            tasks_block(staff),
            saved_views_block(staff),
        ]
    if staff.role == Role.TRIAGE:
        return [new_requests_block()]
    if staff.role == Role.COORDINATOR:
        if staff.team_id is None:  # a coordinator of no team yet: their own cases
            n = counts(staff, "mine", "unread")
            return [
                new_requests_block(),
                waiting_block(staff, n["mine"], team=False),
                unread_block(staff, n["unread"]),
                tasks_block(staff),
                saved_views_block(staff),
            ]
        n = counts(staff, "waiting", "late", "stale", "unassigned", "unread")
        return [
            new_requests_block(),
            waiting_block(staff, n["waiting"], team=True),
            late_block(staff, n["late"]),
            unread_block(staff, n["unread"]),
            tasks_block(staff),
            unassigned_block(staff, n["unassigned"]),
            stale_block(staff, n["stale"]),
            caseloads_block(staff),
            saved_views_block(staff),
        ]
    return []
