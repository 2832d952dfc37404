"""Every write of legal help: templates uploaded as new versions, documents
produced from them, deadline rules edited, legal deadlines recorded on a case
as tasks with reminders. Each audits; a produced document and a deadline are
typed timeline events (the template and version, never the content)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tropa import vault
from tropa.accounts.models import Profession, Role, Staff
from tropa.assistance import days, deadlines, placeholders
from tropa.assistance.events import AssistanceEvent
from tropa.assistance.models import (
    DeadlineRule,
    DocumentTemplate,
    LegalDeadline,
    PeriodUnit,
    TemplateVersion,
)
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions as case_actions
from tropa.cases import files
from tropa.cases.events import record_event
from tropa.cases.models import Case, Status, TaskKind
from tropa.cases.uploads import seal_bytes

# A legal deadline's reminder: this long before its last day, in the morning
REMIND_BEFORE = timedelta(days=2)
TITLE_MAX = 200


class Refused(ValueError):
    """A legal write that cannot be done, said in the user's language."""


def may_manage_templates(staff: Staff) -> bool:
    return staff.is_active and (
        staff.role == Role.COORDINATOR or staff.profession == Profession.LAWYER
    )


def upload_version(
    template: DocumentTemplate | None,
    docx: bytes,
    by: Staff,
    *,
    title: str = "",
    description: str = "",
    situations: str = "",
) -> TemplateVersion:
    """A new template, or a new version of one: checked now, not at rendering."""
    if not may_manage_templates(by):
        raise Refused(_("Only coordinators and lawyers manage templates."))
    fields = placeholders.check(docx)  # BadTemplate says what is wrong
    with transaction.atomic():
        if template is None:
            if not title.strip():
                raise Refused(_("Give the template a title."))
            template = DocumentTemplate.objects.create(
                title=title.strip()[:200], description=description, situations=situations
            )
        number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = TemplateVersion.objects.create(
            template=template, number=number, docx=docx, fields=fields, uploaded_by=by
        )
        record(by, Action.TEMPLATE_UPLOADED)
    return version


def produce(
    case: Case,
    version: TemplateVersion,
    filled: placeholders.Filled,
    by: Staff,
    by_keys: vault.KeyPair,
    *,
    keep: bool,
) -> bytes:
    """The document, rendered in memory; kept as a sealed case file if asked."""
    if case.status in (Status.NEW, Status.DISCARDED, Status.MERGED, Status.DELETED):
        raise Refused(_("Accept the request as a case first."))
    keys = case_actions.open_case(case, by, by_keys)
    today = days.today()
    document = placeholders.render(bytes(version.docx), placeholders.context(filled, today))
    name = f"{version.template.title[:80]} {today.isoformat()}.docx"
    with transaction.atomic():
        if keep:
            upload = seal_bytes(name, document, produced=True)
            if upload.error:
                raise Refused(_("The document is too large to keep on the case."))
            files.note_with_files(case, by, by_keys, _("Document produced: %(title)s") % {
                "title": version.template.title}, [upload])  # fmt: skip
        record_event(
            case,
            keys.public_key,
            AssistanceEvent.DOCUMENT,
            by,
            template=version.template.title,
            version=version.number,
        )
        record(by, Action.DOCUMENT_PRODUCED, case_id=case.pk)
    return document


def name_from_request(case: Case, by: Staff, by_keys: vault.KeyPair) -> dict[str, str]:
    """The person's name as they wrote it in the request, split into the
    document's name fields (last, first, patronymic: staff check it in the
    preview). Revealing it is audited, as on the case page."""
    keys = case_actions.open_case(case, by, by_keys)
    answers = case_actions.read_intake(case, keys, by).answers
    words = str(answers.get("name") or "").split()
    case_actions.reveal(case, by)
    return dict(zip(("last_name", "first_name", "middle_name"), words[:3], strict=False))


def save_rule(rule: DeadlineRule, by: Staff) -> DeadlineRule:
    if by.role != Role.COORDINATOR:
        raise Refused(_("Only coordinators change deadline rules."))
    if rule.unit not in PeriodUnit.values or not 0 < rule.period <= 366:
        raise Refused(_("Give a period between 1 and 366."))
    with transaction.atomic():
        rule.save()
        record(by, Action.DEADLINE_RULE_CHANGED)
    return rule


def _due_at(due_on: date) -> datetime:
    return days.remind(due_on, REMIND_BEFORE)


def record_deadline(
    case: Case, rule: DeadlineRule, event_on: date, by: Staff, by_keys: vault.KeyPair
) -> LegalDeadline:
    """An event happened on `event_on`: the rule gives the last day, a task reminds of it."""
    today = days.today()
    if event_on > today:
        raise Refused(_("The event cannot be in the future: record it once it happened."))
    if event_on < today - timedelta(days=3 * 366):
        raise Refused(_("That date is too far away to be right."))
    keys = case_actions.open_case(case, by, by_keys)
    due_on = deadlines.due(event_on, rule.period, rule.unit, rule.moves_off_holidays)
    title = _("Legal deadline %(due)s: %(rule)s") % {
        "due": due_on.isoformat(),
        "rule": _(rule.name),
    }
    with transaction.atomic():
        task = case_actions.add_task(
            case, by, by, by_keys, title[:TITLE_MAX], _due_at(due_on), TaskKind.LEGAL
        )
        deadline = LegalDeadline.objects.create(
            case=case, team_id=case.team_id, rule=rule, event_on=event_on, due_on=due_on, task=task
        )
        record_event(
            case,
            keys.public_key,
            AssistanceEvent.DEADLINE,
            by,
            rule=rule.name,
            event_on=event_on.isoformat(),
            due_on=due_on.isoformat(),
        )
        record(by, Action.DEADLINE_RECORDED, case_id=case.pk)
    return deadline


def remove_deadline(deadline: LegalDeadline, by: Staff) -> None:
    """A deadline recorded by mistake: gone with its task."""
    with transaction.atomic():
        if deadline.task is not None:
            case_actions.cancel_task(deadline.task, by)
        deadline.delete()
        record(by, Action.DEADLINE_RECORDED, case_id=deadline.case_id)
