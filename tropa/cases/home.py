"""The case blocks of the staff home (tropa/core/home.py): who is waiting for
us, what is unread, tasks, new requests, and a coordinator's view of the team.

Plaintext metadata only, a few queries per block whatever the number of
cases: nothing here decrypts. Consultants see their own cases, coordinators
their team's.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tropa.accounts.models import Role, Staff, Team
from tropa.cases.models import OPEN_STATUSES, Assignment, Case, LastSeen, Status, Task
from tropa.core import clock
from tropa.core.home import LINES, Block, Line
from tropa.core.hours import hours_before

# Priority bands of new requests (tropa/intake/triage.py scores 0-100).
URGENT, HIGH = 60, 40


def case_url(case_id: object) -> str:
    return reverse("cases:case", args=[case_id])


def name_of(case: Case) -> str:
    return case.alias or _("case %(id)s") % {"id": str(case.pk)[:8]}


def waited(since: object) -> str:
    return _("waiting %(time)s") % {"time": timesince(since, clock.now(), depth=1)}  # type: ignore[arg-type]


def mine(staff: Staff) -> QuerySet[Case]:
    """The open cases `staff` is assigned to."""
    return Case.objects.filter(
        assignments__staff=staff, assignments__is_open=True, status__in=OPEN_STATUSES
    )


def scope(staff: Staff) -> QuerySet[Case]:
    """A consultant's own open cases; a coordinator's team's."""
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        return Case.objects.filter(team_id=staff.team_id, status__in=OPEN_STATUSES)
    return mine(staff)


def overdue_for_answer(team: Team | None) -> Q:
    """Cases past their team's first- or next-response target, in consultant hours."""
    first = team.first_response_hours if team else 24
    later = team.next_response_hours if team else 24
    now = clock.now()
    # Counted in consultant hours: a message at midnight is not late by morning.
    return Q(replied_at__isnull=True, waiting_since__lt=hours_before(now, first)) | Q(
        replied_at__isnull=False, waiting_since__lt=hours_before(now, later)
    )


def quiet_since(staff: Staff) -> Q:
    """Open cases with nothing from us for the team's "stale" days."""
    days = staff.team.stale_after_days if staff.team else 7
    cutoff = clock.now() - timedelta(days=days)
    return Q(replied_at__lt=cutoff) | Q(replied_at__isnull=True, triaged_at__lt=cutoff)


def counts(staff: Staff, *wanted: str) -> dict[str, int]:
    """The counts the person's blocks need, each one query an index can answer
    (a consultant needs only "waiting")."""
    cases = scope(staff)
    queries = {
        "waiting": lambda: cases.filter(waiting_since__isnull=False).count(),
        "late": lambda: cases.filter(overdue_for_answer(staff.team)).count(),
        "stale": lambda: cases.filter(quiet_since(staff)).count(),
        # Open cases, less those with someone on them (the caseload index)
        "unassigned": lambda: (
            cases.count()
            - Assignment.objects.filter(is_open=True, case__in=cases)
            .values("case_id")
            .distinct()
            .count()
        ),
    }
    return {name: queries[name]() for name in wanted}


def waiting_block(staff: Staff, total: int) -> Block:
    cases = scope(staff).filter(waiting_since__isnull=False).order_by("waiting_since", "pk")
    late = overdue_for_answer(staff.team)
    flagged = cases.annotate(late=ExpressionWrapper(late, output_field=BooleanField()))
    rows = list(flagged.only("id", "alias", "waiting_since")[:LINES]) if total else []
    return Block(
        "waiting",
        _("Waiting for our answer"),
        total,
        [
            Line(
                name_of(c), case_url(c.pk), waited(c.waiting_since), tone="danger" if c.late else ""
            )
            for c in rows
        ],
        more_url=reverse("cases:list") + "?status=waiting",
        empty=_("Nobody is waiting for an answer from us."),
        tone="warn",
        order=20,
    )


def unread_block(staff: Staff) -> Block:
    seen = LastSeen.objects.filter(staff=staff, case=OuterRef("pk")).values("seq")[:1]
    cases = (
        mine(staff)
        .annotate(seen=Coalesce(Subquery(seen), 0))
        .filter(message_count__gt=F("seen"))
        .order_by("-updated_at", "pk")
    )
    rows = list(cases.only("id", "alias", "message_count", "updated_at")[:LINES])
    return Block(
        "unread",
        _("New on my cases since I last looked"),
        cases.count(),
        [
            Line(
                name_of(c),
                case_url(c.pk),
                ngettext("%(n)s new entry", "%(n)s new entries", c.message_count - c.seen)
                % {"n": c.message_count - c.seen},
                when=c.updated_at,
            )
            for c in rows
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


def new_requests_block() -> Block:
    new = Case.objects.filter(status=Status.NEW)
    # Range counts on the inbox index (status, priority): no per-row expressions
    total = new.count()
    urgent = new.filter(priority__gte=URGENT).count()
    high = new.filter(priority__gte=HIGH, priority__lt=URGENT).count()
    bands = {"urgent": urgent, "high": high, "normal": total - urgent - high}
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
                _("Urgent: %(n)s") % {"n": bands["urgent"]},
                inbox,
                tone="danger" if bands["urgent"] else "",
            ),
            Line(_("High: %(n)s") % {"n": bands["high"]}, inbox),
            Line(_("Normal: %(n)s") % {"n": bands["normal"]}, inbox),
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


def late_block(staff: Staff, total: int) -> Block:
    cases = scope(staff).filter(overdue_for_answer(staff.team)).order_by("waiting_since", "pk")
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
    staffed = Assignment.objects.filter(is_open=True, case__in=scope(staff)).values("case_id")
    cases = scope(staff).exclude(pk__in=staffed).order_by("triaged_at", "pk")
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
    cases = (
        scope(staff).filter(quiet_since(staff)).order_by(Coalesce("replied_at", "triaged_at"), "pk")
    )
    rows = list(cases.only("id", "alias", "replied_at", "triaged_at")[:LINES]) if total else []
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
    # Open assignments per person: the "caseload" index, not a join over every case
    loads = dict(
        Assignment.objects.filter(staff__in=people, is_open=True)
        .values_list("staff_id")
        .annotate(n=Count("id"))
    )
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
        n = counts(staff, "waiting")
        return [
            waiting_block(staff, n["waiting"]),
            unread_block(staff),
            tasks_block(staff),
            saved_views_block(staff),
        ]
    if staff.role == Role.COORDINATOR:
        n = counts(staff, "waiting", "late", "stale", "unassigned")
        return [
            new_requests_block(),
            waiting_block(staff, n["waiting"]),
            late_block(staff, n["late"]),
            unread_block(staff),
            tasks_block(staff),
            unassigned_block(staff, n["unassigned"]),
            stale_block(staff, n["stale"]),
            caseloads_block(staff),
            saved_views_block(staff),
        ]
    return []
