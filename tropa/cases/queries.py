"""Reads behind the case pages: lists, candidates, caseloads. Nothing here writes
or decrypts; the case page's decrypted parts are in tropa/cases/page.py."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tropa.accounts.models import Role, Staff
from tropa.cases import page
from tropa.cases.access import visible_cases
from tropa.cases.models import (
    Assignment,
    Case,
    CaseLabel,
    Caseload,
    LastSeen,
    ReplyTemplate,
    Status,
    Task,
    TaskKind,
)
from tropa.core import clock


def case_list(
    staff: Staff, statuses: list[str] | None, queue: str = "", label: int | None = None
) -> QuerySet[Case]:
    """My cases (and my team's, for a coordinator), most recently changed first;
    the "waiting" queue longest-waiting first, "unread" what I have not read."""
    cases = visible_cases(staff).exclude(status__in=[Status.NEW, Status.DISCARDED])
    if statuses is not None:
        cases = cases.filter(status__in=statuses)
    if label is not None:
        cases = cases.filter(case_labels__label_id=label)
    mine_open = Q(tasks__owner=staff, tasks__done_at__isnull=True)
    overdue = Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due_at__lt=clock.now())
    legal_overdue = overdue.filter(kind=TaskKind.LEGAL)
    seen = LastSeen.objects.filter(staff=staff, case=OuterRef("pk")).values("seq")[:1]
    cases = cases.annotate(
        my_tasks=Count("tasks", filter=mine_open),
        overdue=Exists(overdue),
        legal_overdue=Exists(legal_overdue),
        unread=F("message_count") - Coalesce(Subquery(seen), 0),
    )
    # An overdue legal deadline first, whatever else the order (docs/assistance.md)
    order = ["-legal_overdue", "-updated_at", "pk"]
    if queue == "waiting":
        cases = cases.filter(waiting_since__isnull=False)
        order = ["-legal_overdue", "waiting_since", "pk"]
    elif queue == "unread":
        cases = cases.filter(unread__gt=0)
    return cases.prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("staff")),
        Prefetch("case_labels", queryset=CaseLabel.objects.select_related("label")),
    ).order_by(*order)


def candidates(case: Case, assigned: list[Staff]) -> list[Staff]:
    """Consultants of the case's team who are not on it yet (never a decoy)."""
    return list(
        Staff.objects.filter(role=Role.CONSULTANT, is_active=True, decoy_of__isnull=True)
        .filter(Q(team_id=case.team_id) | Q(team__isnull=True))
        .exclude(pk__in=[s.pk for s in assigned])
        .order_by("username")
    )


def reply_templates() -> QuerySet[ReplyTemplate]:
    """Templates in the viewer's language."""
    return ReplyTemplate.objects.filter(language=page.language())


def caseloads(staff: list[Staff]) -> dict[Any, int]:
    """Open cases of each of these staff members, for choosing whom to assign."""
    return dict(Caseload.objects.filter(staff__in=staff).values_list("staff_id", "open_cases"))
