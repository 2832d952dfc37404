"""Labels on cases: the built-in set and each team's own, put on and taken off
(audited, and in the case timeline), and the staff member's saved views.

Labels are plaintext metadata, like the coded flags: lists filter and count
on them without a key (docs/security.md says why that is acceptable and what
not to put in a label's name).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet

from tropa.accounts.models import Role, Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import stats
from tropa.cases.events import CaseEvent, record_event
from tropa.cases.models import BuiltinLabel, Case, CaseLabel, Label, SavedView

MAX_NAME = 40
MAX_VIEWS = 20


class LabelRefused(Exception):
    """Not a label this person may use, or a name that is taken or empty."""


def ensure_builtin() -> None:
    """The built-in labels exist (once; idempotent)."""
    have = set(
        Label.objects.filter(team=None).exclude(builtin="").values_list("builtin", flat=True)
    )
    missing = [Label(builtin=key) for key in BuiltinLabel.values if key not in have]
    if missing:
        Label.objects.bulk_create(missing, ignore_conflicts=True)


def available(staff: Staff) -> QuerySet[Label]:
    """The built-in labels (made after each migration) and the team's own."""
    rule = Q(team=None)
    if staff.team_id is not None:
        rule |= Q(team_id=staff.team_id)
    return Label.objects.filter(rule).order_by("team_id", "builtin", "name")


def on_case(case: Case) -> list[Label]:
    return [cl.label for cl in CaseLabel.objects.filter(case=case).select_related("label")]


def add(case: Case, label_id: int, by: Staff) -> bool:
    """Put a label on a case. False if it was already on."""
    label = available(by).filter(pk=label_id).first()
    if label is None:
        raise LabelRefused
    with transaction.atomic():
        with stats.counted(case, relabel=True):
            _row, created = CaseLabel.objects.get_or_create(case=case, label=label)
        if created:
            record_event(case, case.public_key, CaseEvent.LABELLED, by, label=str(label), on=True)
            record(by, Action.LABEL_ADDED, case_id=case.pk)
    return created


def remove(case: Case, label_id: int, by: Staff) -> bool:
    with transaction.atomic():
        row = CaseLabel.objects.filter(case=case, label_id=label_id).select_related("label").first()
        if row is None:
            return False
        with stats.counted(case, relabel=True):
            row.delete()
        record_event(case, case.public_key, CaseEvent.LABELLED, by, label=str(row.label), on=False)
        record(by, Action.LABEL_REMOVED, case_id=case.pk)
    return True


def define(name: str, by: Staff) -> Label:
    """A coordinator's new label for their team."""
    name = " ".join(name.split())[:MAX_NAME]
    if by.role != Role.COORDINATOR or by.team_id is None or not name:
        raise LabelRefused
    with transaction.atomic():
        if Label.objects.filter(team_id=by.team_id, name__iexact=name).exists():
            raise LabelRefused
        label = Label.objects.create(team_id=by.team_id, name=name)
        record(by, Action.LABEL_DEFINED)
    return label


def undefine(label_id: int, by: Staff) -> bool:
    """Remove a team label (and take it off every case)."""
    with transaction.atomic():
        mine = Label.objects.filter(pk=label_id, team_id=by.team_id, builtin="")
        if mine.exists():
            stats.label_removed_everywhere(label_id)
        deleted, _rows = mine.delete()
        if deleted:
            record(by, Action.LABEL_DEFINED)
    return bool(deleted)


def save_view(staff: Staff, name: str, query: str) -> SavedView:
    name = " ".join(name.split())[:60]
    if not name or SavedView.objects.filter(staff=staff).count() >= MAX_VIEWS:
        raise LabelRefused
    with transaction.atomic():
        view, _created = SavedView.objects.update_or_create(
            staff=staff, name=name, defaults={"query": query[:300]}
        )
        record(staff, Action.VIEW_SAVED)
    return view


def delete_view(staff: Staff, view_id: int) -> bool:
    with transaction.atomic():
        deleted, _rows = SavedView.objects.filter(staff=staff, pk=view_id).delete()
        if deleted:
            record(staff, Action.VIEW_SAVED)
    return bool(deleted)
