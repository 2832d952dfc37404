"""Every write to applications: each checks what it is given, seals what the
person's case holds, records a typed timeline event where the case's history
needs it, and audits.

The dates that matter become tasks on the case (tropa/cases/actions.py), so
the watcher's task reminders and the home page's "tasks due" cover them; a
date moved moves its task and its reminder, a date cleared cancels it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from tropa import vault
from tropa.accounts.models import Staff
from tropa.assistance import countries, days, sealing
from tropa.assistance.documents import default_titles
from tropa.assistance.events import AssistanceEvent
from tropa.assistance.models import (
    GRANTED,
    READY,
    ROUTE_STAGES,
    STAGE_ORDER,
    Application,
    ChecklistItem,
    DateKind,
    ItemStatus,
    KeyDate,
    Outcome,
    Route,
    Stage,
    TemplateItem,
)
from tropa.assistance.sealing import Details, ItemText
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions as case_actions
from tropa.cases.events import record_event
from tropa.cases.models import Attachment, Case, Status, TaskKind
from tropa.cases.models import Outcome as CaseOutcome
from tropa.core import clock


class Refused(ValueError):
    """An application write that cannot be done, said in the user's language."""


# How long before each date its task comes due (and the watcher reminds)
LEAD = {
    DateKind.APPOINTMENT: timedelta(days=1),
    DateKind.EXPIRY: timedelta(days=30),
    DateKind.DECISION: timedelta(0),
    DateKind.APPEAL_BY: timedelta(days=7),
}


def _keys(case: Case, by: Staff, by_keys: vault.KeyPair) -> vault.KeyPair:
    return case_actions.open_case(case, by, by_keys)


def _event(app: Application, public_key: bytes, kind: str, by: Staff, **payload: object) -> None:
    record_event(app.case, public_key, kind, by, country=app.country, route=app.route, **payload)


def template_titles(route: str) -> list[str]:
    """The checklist a new application of `route` starts with."""
    rows = list(TemplateItem.objects.filter(route=route).values_list("title", flat=True))
    return rows or default_titles(route)


def open_application(
    case: Case, by: Staff, by_keys: vault.KeyPair, country: str, route: str, lead: Staff | None
) -> Application:
    if case.status in (Status.NEW, Status.DISCARDED, Status.MERGED, Status.DELETED):
        raise Refused(_("Accept the request as a case first."))
    if not countries.is_country(country):
        raise Refused(_("Choose a country from the list."))
    if route not in Route.values:
        raise Refused(_("Choose a route from the list."))
    keys = _keys(case, by, by_keys)
    with transaction.atomic():
        app = Application.objects.create(
            case=case,
            team_id=case.team_id,
            country=country,
            route=route,
            lead=lead or by,
            sealed_details=sealing.seal_details(Details(), keys.public_key),
        )
        titles = template_titles(route)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                application=app,
                position=n,
                sealed_text=sealing.seal_item(
                    ItemText(title[: sealing.TITLE_MAX]), keys.public_key
                ),
            )
            for n, title in enumerate(titles, 1)
        )
        app.items = len(titles)
        app.save(update_fields=["items"])
        _event(app, keys.public_key, AssistanceEvent.OPENED, by)
        record(by, Action.APPLICATION_OPENED, case_id=case.pk)
    return app


def read_details(app: Application, keys: vault.KeyPair) -> Details:
    """`keys`: the opened case key pair."""
    return sealing.open_details(bytes(app.sealed_details), keys)


def save_details(
    app: Application, by: Staff, by_keys: vault.KeyPair, details: Details, lead: Staff | None
) -> None:
    for name, limit in sealing.LIMITS.items():
        if len(getattr(details, name)) > limit:
            raise Refused(_("Keep each field within its limit."))
    keys = _keys(app.case, by, by_keys)
    with transaction.atomic():
        app.sealed_details = sealing.seal_details(details, keys.public_key)
        if lead is not None:
            app.lead = lead
        app.updated_at = clock.now()
        app.save(update_fields=["sealed_details", "lead", "updated_at"])
        record(by, Action.APPLICATION_CHANGED, case_id=app.case_id)


def move_stage(
    app: Application, stage: str, by: Staff, by_keys: vault.KeyPair, reason: str = ""
) -> None:
    """Forward freely along the route's stages; back only with a reason."""
    if stage not in ROUTE_STAGES[app.route]:
        raise Refused(_("This route has no such stage."))
    if stage == app.stage:
        return
    backwards = STAGE_ORDER[stage] < STAGE_ORDER[app.stage]
    if backwards and not reason.strip():
        raise Refused(_("Say why the application goes back to an earlier stage."))
    keys = _keys(app.case, by, by_keys)
    with transaction.atomic():
        old = app.stage
        app.stage = stage
        app.updated_at = clock.now()
        app.save(update_fields=["stage", "updated_at"])
        _refresh_next_date(app)
        _event(app, keys.public_key, AssistanceEvent.STAGE, by, old=old, new=stage,
               reason=reason.strip()[:300])  # fmt: skip
        record(by, Action.APPLICATION_STAGE, case_id=app.case_id)


def decide(app: Application, outcome: str, by: Staff, by_keys: vault.KeyPair) -> None:
    """The decision: the stage follows (an appeal is its own stage)."""
    if outcome not in Outcome.values:
        raise Refused(_("Choose an outcome from the list."))
    keys = _keys(app.case, by, by_keys)
    stage = Stage.APPEAL if outcome == Outcome.APPEALED else Stage.DECIDED
    if stage not in ROUTE_STAGES[app.route]:
        stage = Stage.DECIDED
    with transaction.atomic():
        app.outcome = outcome
        if STAGE_ORDER[app.stage] < STAGE_ORDER[stage] or outcome == Outcome.APPEALED:
            app.stage = stage
        app.updated_at = clock.now()
        app.save(update_fields=["outcome", "stage", "updated_at"])
        _event(app, keys.public_key, AssistanceEvent.DECIDED, by, outcome=outcome)
        record(by, Action.APPLICATION_STAGE, case_id=app.case_id)


def granted(case: Case) -> bool:
    """Whether any application of the case was granted: the case's "legal
    status obtained abroad" outcome is then the one to close it with."""
    return Application.objects.filter(case=case, outcome__in=GRANTED).exists()


def outcome_hint(case: Case) -> str:
    """A granted application suggests closing the case as "legal status obtained abroad"."""
    return CaseOutcome.LEGAL_STATUS if granted(case) else ""


def _due(kind: str, on: date) -> datetime:
    return days.remind(on, LEAD[kind])


def _task_title(app: Application, kind: str, on: date) -> str:
    return _("%(kind)s on %(on)s: %(country)s, %(route)s") % {
        "kind": DateKind(kind).label,
        "on": on.isoformat(),
        "country": countries.name(app.country),
        "route": Route(app.route).label,
    }


def set_date(
    app: Application, kind: str, on: date | None, by: Staff, by_keys: vault.KeyPair
) -> None:
    """Set, move or clear one of the dates that matter, and its task."""
    if kind not in DateKind.values:
        raise Refused(_("Choose a kind of date from the list."))
    today = days.today()
    if on is not None and kind in (DateKind.APPOINTMENT, DateKind.DECISION) and on < today:
        raise Refused(_("That date has passed: enter the new date, or clear it."))
    keys = _keys(app.case, by, by_keys)
    owner = app.lead or by
    with transaction.atomic():
        current = KeyDate.objects.filter(application=app, kind=kind).select_related("task").first()
        if on is None:
            if current is None:
                return
            if current.task is not None:
                case_actions.cancel_task(current.task, by)
            current.delete()
        elif current is None:
            task = case_actions.add_task(
                app.case,
                owner,
                by,
                by_keys,
                _task_title(app, kind, on),
                _due(kind, on),
                TaskKind.APPLICATION,
            )
            KeyDate.objects.create(application=app, kind=kind, on=on, task=task)
        else:
            if current.on == on:
                return
            if current.task is not None:
                case_actions.move_task(
                    current.task, by, by_keys, _task_title(app, kind, on), _due(kind, on)
                )
            else:
                current.task = case_actions.add_task(
                    app.case,
                    owner,
                    by,
                    by_keys,
                    _task_title(app, kind, on),
                    _due(kind, on),
                    TaskKind.APPLICATION,
                )
            current.on = on
            current.save(update_fields=["on", "task"])
        _refresh_next_date(app)
        _event(app, keys.public_key, AssistanceEvent.DATE, by, which=kind,
               on=on.isoformat() if on else "")  # fmt: skip
        record(by, Action.APPLICATION_CHANGED, case_id=app.case_id)


def _refresh_next_date(app: Application) -> None:
    """The date the list sorts by: the earliest of them, none once closed."""
    earliest = None
    if app.stage != Stage.CLOSED:
        earliest = KeyDate.objects.filter(application=app).aggregate(d=Min("on"))["d"]
    Application.objects.filter(pk=app.pk).update(next_date=earliest)
    app.next_date = earliest


# The checklist


def read_item(item: ChecklistItem, keys: vault.KeyPair) -> ItemText:
    return sealing.open_item(bytes(item.sealed_text), keys)


def _recount(app: Application) -> None:
    items = ChecklistItem.objects.filter(application=app)
    app.items = items.count()
    app.items_ready = items.filter(status__in=READY).count()
    app.updated_at = clock.now()
    app.save(update_fields=["items", "items_ready", "updated_at"])


def add_item(app: Application, by: Staff, by_keys: vault.KeyPair, title: str) -> ChecklistItem:
    title = title.strip()
    if not title or len(title) > sealing.TITLE_MAX:
        raise Refused(_("Name the document in at most %(n)s characters.") % {
            "n": sealing.TITLE_MAX})  # fmt: skip
    keys = _keys(app.case, by, by_keys)
    with transaction.atomic():
        last = ChecklistItem.objects.filter(application=app).order_by("-position").first()
        item = ChecklistItem.objects.create(
            application=app,
            position=(last.position + 1) if last else 1,
            sealed_text=sealing.seal_item(ItemText(title), keys.public_key),
        )
        _recount(app)
        record(by, Action.CHECKLIST_CHANGED, case_id=app.case_id)
    return item


@dataclass
class ItemChange:
    status: str
    note: str
    attachment: Attachment | None = None


def change_item(item: ChecklistItem, by: Staff, by_keys: vault.KeyPair, change: ItemChange) -> None:
    app = item.application
    if change.status not in ItemStatus.values:
        raise Refused(_("Choose a status from the list."))
    if len(change.note) > sealing.ITEM_NOTE_MAX:
        raise Refused(_("Keep the note within %(n)s characters.") % {"n": sealing.ITEM_NOTE_MAX})
    if change.attachment is not None and change.attachment.case_id != app.case_id:
        raise Refused(_("Choose a file of this case."))
    keys = _keys(app.case, by, by_keys)
    text = read_item(item, keys)
    with transaction.atomic():
        item.status = change.status
        item.attachment = change.attachment
        item.sealed_text = sealing.seal_item(ItemText(text.title, change.note), keys.public_key)
        item.save(update_fields=["status", "attachment", "sealed_text"])
        _recount(app)
        record(by, Action.CHECKLIST_CHANGED, case_id=app.case_id)


def remove_item(item: ChecklistItem, by: Staff) -> None:
    with transaction.atomic():
        app = item.application
        item.delete()
        _recount(app)
        record(by, Action.CHECKLIST_CHANGED, case_id=app.case_id)


def save_template(route: str, titles: list[str], by: Staff) -> None:
    """A route's starting checklist for new applications (generic, no case data)."""
    if route not in Route.values:
        raise Refused(_("Choose a route from the list."))
    titles = [t.strip() for t in titles if t.strip()]
    if any(len(t) > sealing.TITLE_MAX for t in titles):
        raise Refused(_("Name each document in at most %(n)s characters.") % {
            "n": sealing.TITLE_MAX})  # fmt: skip
    with transaction.atomic():
        TemplateItem.objects.filter(route=route).delete()
        TemplateItem.objects.bulk_create(
            TemplateItem(route=route, position=n, title=t) for n, t in enumerate(titles, 1)
        )
        record(by, Action.CHECKLIST_TEMPLATE)
