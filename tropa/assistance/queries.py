"""Reads behind the application pages: who may see and change an application,
the case page's block, and the list of applications. Nothing here writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.assistance import countries, days
from tropa.assistance.legal_forms import EventForm
from tropa.assistance.models import (
    SUBMITTED_STAGES,
    Application,
    DocumentTemplate,
    LegalDeadline,
    LegPoint,
    Referral,
    Stage,
)
from tropa.cases.access import get_case_for, may_work_on
from tropa.cases.models import OPEN_STATUSES, Assignment, Case, Status

SOON = timedelta(days=7)  # a date this close "needs action"
LIMIT = 5000  # applications needing action read at once (a helpline has far fewer)


def today() -> date:
    return days.today()


def case_for(staff: Staff, case_id: uuid.UUID) -> Case:
    """The case whose applications `staff` may work on; 404 for anything else."""
    case = get_case_for(staff, case_id)
    if not may_work_on(staff, case):
        raise Http404
    return case


def application_for(staff: Staff, case: Case, application_id: uuid.UUID) -> Application:
    app = Application.objects.filter(pk=application_id, case=case).select_related("lead").first()
    if app is None:
        raise Http404
    app.case = case
    return app


@dataclass
class Row:
    application: Application
    country: str
    passed: bool  # its next date has passed
    soon: bool  # its next date is within a week

    @property
    def needs_action(self) -> bool:
        return self.passed or self.soon or self.application.missing_after_submission


def row(app: Application, now: date) -> Row:
    nd = app.next_date
    return Row(
        app,
        countries.name(app.country),
        passed=nd is not None and nd < now,
        soon=nd is not None and now <= nd <= now + SOON,
    )


def case_section(case: Case, keys: vault.KeyPair, staff: Staff) -> dict[str, Any]:
    """The case page's "Applications" block: plaintext only, so `keys` is unused."""
    if case.status == Status.NEW:
        return {}
    now = today()
    apps = Application.objects.filter(case=case).order_by("created_at", "id")
    return {
        "applications": [row(app, now) for app in apps],
        "may_apply": may_work_on(staff, case),
        "referrals": Referral.objects.filter(case=case).order_by("status_at"),
    }


def needing_action(now: date) -> Q:
    """A date within a week or passed, or a document missing after submission."""
    return (
        Q(next_date__lte=now + SOON) | Q(stage__in=SUBMITTED_STAGES, items_ready__lt=F("items"))
    ) & ~Q(stage=Stage.CLOSED)


def work_cases(staff: Staff) -> QuerySet[Case]:
    """A coordinator's team's cases; the cases a consultant is on."""
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        return Case.objects.filter(team_id=staff.team_id)
    return Case.objects.filter(assignments__staff=staff)


def visible(staff: Staff) -> QuerySet[Application]:
    """A coordinator's team's applications; a consultant's own cases'."""
    apps = Application.objects.exclude(case__status__in=[Status.DELETED, Status.MERGED])
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        return apps.filter(case__team_id=staff.team_id)
    mine = Assignment.objects.filter(staff=staff).values("case_id")
    return apps.filter(case_id__in=mine)


@dataclass
class Filters:
    country: str = ""
    route: str = ""
    stage: str = ""
    needs_action: bool = False
    open_only: bool = True


def allowed_cases(staff: Staff, case_ids: set[Any], *, open_only: bool = True) -> set[Any]:
    """Which of these cases `staff` works on (the team's for a coordinator, their
    own for a consultant). Read by the ids given, which are few, and checked
    here: any other condition in the query lets SQLite start from an index
    of status or staff and walk thousands of cases instead."""
    ids = list(case_ids)
    if not ids:
        return set()
    statuses = OPEN_STATUSES if open_only else None
    rows = Case.objects.filter(pk__in=ids).values_list("pk", "status", "team_id")
    cases = {
        pk
        for pk, status, team in rows
        if status not in (Status.DELETED, Status.MERGED)
        and (statuses is None or status in statuses)
        and (staff.role != Role.COORDINATOR or staff.team_id is None or team == staff.team_id)
    }
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        return cases
    mine = Assignment.objects.filter(case_id__in=list(cases), staff=staff)
    return set(mine.values_list("case_id", flat=True))


def mine(rows: QuerySet[Any], staff: Staff) -> QuerySet[Any]:
    """Applications or deadlines of the cases `staff` works on: the team's by
    the copied team id (one index range), a consultant's through their
    assignments (by the case and staff index)."""
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        return rows.filter(team_id=staff.team_id)
    # IN (their cases): SQLite checks each of the few rows against the list
    # instead of walking every case the person holds through a join
    return rows.filter(case_id__in=Assignment.objects.filter(staff=staff).values("case_id"))


def needing_for(staff: Staff) -> QuerySet[Application]:
    """The home page's applications that need action, by next date. (No join
    to the cases: with one, SQLite reads every case a consultant holds to
    find the few with an application; the home page looks up its eight
    lines' aliases afterwards.)"""
    return (
        mine(Application.objects.all(), staff)
        .filter(needing_action(today()))
        .order_by("next_date", "created_at", "id")
    )


def listing(staff: Staff, filters: Filters) -> QuerySet[Application]:
    """The applications of the cases `staff` works on, by next date: the
    filters first, on the applications table (small), then whose they are."""
    apps = Application.objects.all()
    if filters.open_only:
        apps = apps.exclude(stage=Stage.CLOSED)
    if filters.country:
        apps = apps.filter(country=filters.country)
    if filters.route:
        apps = apps.filter(route=filters.route)
    if filters.stage:
        apps = apps.filter(stage=filters.stage)
    if filters.needs_action:
        apps = apps.filter(needing_action(today()))
    found = list(apps.values_list("pk", "case_id")[:LIMIT])
    allowed = allowed_cases(staff, {case for _pk, case in found}, open_only=filters.open_only)
    return (
        Application.objects.filter(pk__in=[pk for pk, case in found if case in allowed])
        .select_related("case", "lead")
        .order_by("next_date", "created_at", "id")
    )


def legal_section(case: Case, keys: vault.KeyPair, staff: Staff) -> dict[str, Any]:
    """The case page's "Legal help" block: deadlines (plaintext dates), the
    templates to produce a document from, and the form for a legal event."""
    if case.status == Status.NEW:
        return {}
    now = today()
    rows = LegalDeadline.objects.filter(case=case).select_related("rule").order_by("due_on")
    return {
        "legal_deadlines": [(d, d.due_on < now) for d in rows],
        # Those that fit the case's situation first
        "legal_templates": sorted(
            DocumentTemplate.objects.order_by("title"),
            key=lambda t: case.situation not in t.situations.split(","),
        ),
        "legal_event_form": EventForm(),
        "legal_may": may_work_on(staff, case),
    }


def legs_through(point_id: str) -> QuerySet[LegPoint]:
    """The legs through a route point (the journeys list's "point" filter);
    nothing for a value that is not a point's id."""
    try:
        point = uuid.UUID(point_id)
    except ValueError:
        return LegPoint.objects.none().values("leg_id")
    return LegPoint.objects.filter(point_id=point).values("leg_id")
