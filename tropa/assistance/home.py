"""The staff home's block of applications that need action: a date within a
week or passed, or a document missing after submission. Plaintext only."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tropa.accounts.models import Role, Staff
from tropa.assistance import queries
from tropa.assistance.directory import STALE_AFTER_DAYS
from tropa.assistance.models import Entry, LegalDeadline, Referral, ReferralStatus, Route
from tropa.assistance.referrals import NO_ANSWER_AFTER
from tropa.cases.models import Assignment, Case
from tropa.core import clock
from tropa.core.home import LINES, Block, Line


def provide(request: HttpRequest) -> list[Block]:
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role not in (Role.CONSULTANT, Role.COORDINATOR):
        return []
    now = queries.today()
    apps = queries.needing_for(staff)
    total = apps.count()
    top = list(apps[:LINES]) if total else []
    aliases = dict(
        Case.objects.filter(pk__in=[app.case_id for app in top]).values_list("pk", "alias")
    )
    lines = []
    for app in top:
        row = queries.row(app, now)
        if row.passed:
            note, tone = _("date passed"), "danger"
        elif row.soon:
            note, tone = _("date soon"), "warn"
        else:
            note, tone = _("documents missing"), "warn"
        lines.append(
            Line(
                f"{aliases.get(app.case_id) or app.case_id} · "
                f"{row.country}, {Route(app.route).label}",
                reverse("assistance:application", args=[app.case_id, app.pk]),
                note,
                tone=tone,
            )
        )
    return [
        Block(
            "applications",
            _("Applications that need action"),
            total,
            lines,
            more_url=reverse("assistance:applications") + "?needs_action=on",
            empty=_("No application needs action."),
            tone="warn",
            order=45,
        )
    ]


def provide_deadlines(request: HttpRequest) -> list[Block]:
    """Legal deadlines passed or within three days on my cases (the team's for
    a coordinator): at the top of the home page, overdue first."""
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role not in (Role.CONSULTANT, Role.COORDINATOR):
        return []
    now = queries.today()
    # The deadlines near first (index "deadline_due"), then whose they are:
    # started from the cases, SQLite would walk every case the person can see.
    near = LegalDeadline.objects.filter(
        due_on__lte=now + timedelta(days=3), task__done_at__isnull=True
    )
    if staff.role == Role.COORDINATOR and staff.team_id is not None:
        due = near.filter(team_id=staff.team_id)  # index "deadline_team"
    else:
        # The few deadlines near (index "deadline_due"), then which of their
        # cases are mine (by the case and staff index): never my whole caseload
        found = list(near.values_list("pk", "case_id")[: queries.LIMIT])
        mine = set(
            Assignment.objects.filter(
                staff=staff, case_id__in=[case for _pk, case in found]
            ).values_list("case_id", flat=True)
        )
        due = LegalDeadline.objects.filter(pk__in=[pk for pk, case in found if case in mine])
    due = due.select_related("case", "rule").order_by("due_on")
    total = due.count()
    lines = [
        Line(
            f"{d.case.alias or d.case_id} · {_(d.rule.name)}",
            reverse("cases:case", args=[d.case_id]) + "#legal",
            _("overdue") if d.due_on < now else _("due"),
            tone="danger" if d.due_on < now else "warn",
        )
        for d in (due[:LINES] if total else [])
    ]
    return [
        Block(
            "deadlines",
            _("Legal deadlines passed or in the next 3 days"),
            total,
            lines,
            empty=_("No legal deadline is near."),
            tone="danger",
            order=5,
        )
    ]


def provide_directory(request: HttpRequest) -> list[Block]:
    """Coordinators: directory entries not verified for 90 days, and referrals
    without an answer from the partner for 7 days. Counts from plaintext only."""
    staff: Staff = request.user  # type: ignore[assignment]
    if staff.role != Role.COORDINATOR:
        return []
    stale_before = queries.today() - timedelta(days=STALE_AFTER_DAYS)
    stale = Entry.objects.filter(removed=False, verified_on__lt=stale_before).count()
    quiet = Referral.objects.filter(
        case__in=queries.work_cases(staff).values("pk"),
        status__in=[ReferralStatus.SENT, ReferralStatus.NO_ANSWER],
        status_at__lt=clock.now() - NO_ANSWER_AFTER,
    ).count()
    lines = (
        [
            Line(
                ngettext(
                    "%(n)s directory entry not verified for %(days)s days",
                    "%(n)s directory entries not verified for %(days)s days",
                    stale,
                )
                % {"n": stale, "days": STALE_AFTER_DAYS},
                reverse("assistance:directory") + "?stale=1",
                tone="warn",
            )
        ]
        if stale
        else []
    )
    if quiet:
        lines.append(
            Line(
                ngettext(
                    "%(n)s referral without an answer for 7 days",
                    "%(n)s referrals without an answer for 7 days",
                    quiet,
                )
                % {"n": quiet},
                reverse("assistance:referrals") + "#unanswered",
                tone="warn",
            )
        )
    return [
        Block(
            "directory",
            _("Directory and referrals"),
            stale + quiet,
            lines,
            more_url=reverse("assistance:referrals"),
            empty=_("The directory is verified and every referral answered."),
            order=70,
        )
    ]
