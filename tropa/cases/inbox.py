"""Triage for coordinators: the inbox of new requests, accept, merge, discard.

The inbox lists only plaintext metadata (coded situation, flags, region
group, priority, hour-precision age): nothing is decrypted here. Reading a
request happens on the case page, with the coordinator's own keys.

Every view answers 404 to anyone but an active coordinator. Changes are POSTs
that call an action in tropa.cases.actions and redirect; whatever cannot be
done comes back as a message, never as a server error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.models import Role, Staff
from tropa.cases import actions, labels, triage
from tropa.cases.access import can_manage, can_triage, visible_cases
from tropa.cases.inbox_query import (
    AGES,
    FLAGS,
    PAGE_SIZE,
    ROW_FIELDS,
    Filters,
    Page,
    facets,
    new_requests,
    options,
    rows_of,
)
from tropa.cases.models import OPEN_STATUSES, Case, RegionGroup, Situation, Status
from tropa.core import clock, languages
from tropa.keyring.actions import NoAccess

View = Callable[..., HttpResponse]
MAX_BULK = 500
MAX_TARGET_OPTIONS = 300
RECENT_TARGETS = 10


def coordinators_only(view: View) -> View:
    """Anyone but an active coordinator gets 404, as if the page did not exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not isinstance(request.user, Staff) or not can_triage(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


# The inbox ---------------------------------------------------------------


@coordinators_only
def inbox(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    filters = Filters.parse(request.GET)
    counts = facets(filters, now)
    # The situation facet covers every other filter: its counts give the total.
    by_situation = counts["situation"]
    total = (
        by_situation.get(filters.situation, 0) if filters.situation else sum(by_situation.values())
    )
    page = Page.of(request.GET.get("page"), total)
    cases = list(
        filters.apply(new_requests(), now)
        .only(*ROW_FIELDS)
        .order_by("-priority", "received_at", "pk")[page.offset : page.offset + PAGE_SIZE]
    )
    context = {
        "rows": rows_of(cases, now),
        "page": page,
        "filters": filters,
        "situations": options(Situation.choices, by_situation, filters.situation),
        "regions": options(RegionGroup.choices, counts["region"], filters.region),
        "languages": options(
            [(s.code, s.own_name) for s in languages.REQUESTER],
            counts["language"],
            filters.language,
        ),
        "flags": options(
            [(name, label) for name, (_f, label) in FLAGS.items()], counts["flag"], filters.flag
        ),
        "ages": options(
            [(key, label) for key, (_d, label) in AGES.items()], counts["age"], filters.age
        ),
        "labels": options(
            [(str(label.pk), str(label)) for label in labels.available(_staff(request))],
            counts["label"],
            filters.label,
        ),
        "undo_minutes": settings.TROPA_DISCARD_UNDO_MINUTES,
    }
    return render(request, "cases/inbox.html", context)


# Discard and restore -----------------------------------------------------


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    """Back to the inbox page the form was on (its filters and page), or the inbox."""
    target = request.POST.get("next", "")
    inbox_url = reverse("cases:inbox")
    if target.startswith(inbox_url) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect(inbox_url)


def _discarded_message(request: HttpRequest, count: int) -> None:
    if not count:
        messages.error(request, _("Nothing was discarded: those requests were already handled."))
        return
    minutes = settings.TROPA_DISCARD_UNDO_MINUTES
    text = ngettext("Discarded %(count)d request.", "Discarded %(count)d requests.", count) % {
        "count": count
    }
    undo = ngettext(
        "Undo within %(minutes)d minute.", "Undo within %(minutes)d minutes.", minutes
    ) % {"minutes": minutes}
    messages.success(
        request,
        format_html('{} <a href="{}">{}</a>', text, reverse("cases:discarded"), undo),
    )


@coordinators_only
@require_POST
def bulk_discard(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    ids = []
    for raw in request.POST.getlist("case")[:MAX_BULK]:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    if not ids:
        messages.error(request, _("Select the requests to discard first."))
        return _back_to_inbox(request)
    chosen = [
        case
        for case in new_requests().filter(pk__in=ids).only("pk", "status", "team_id")
        if can_manage(staff, case)
    ]
    _discarded_message(request, triage.discard(chosen, staff))
    return _back_to_inbox(request)


def _triage_case(staff: Staff, case_id: uuid.UUID) -> Case:
    """A case this coordinator may act on, or one of the triage pool (never given
    to a team: new, discarded, merged or withdrawn requests, which every
    coordinator saw as new). Anything else is a 404."""
    case = Case.objects.select_related("keyring", "team").filter(pk=case_id).first()
    if case is None:
        raise Http404
    if case.team_id is None or visible_cases(staff).filter(pk=case.pk).exists():
        return case
    raise Http404


def _already_handled(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("This request was already handled."))
    return redirect("cases:inbox")


def _no_key(request: HttpRequest) -> HttpResponse:
    messages.error(
        request,
        _(
            "Your account holds no key that opens this request. Ask another coordinator "
            "or an admin to share keys with you again (Staff page)."
        ),
    )
    return redirect("cases:inbox")


@coordinators_only
@require_POST
def discard(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = _triage_case(staff, case_id)
    if case.status != Status.NEW or not can_manage(staff, case):
        return _already_handled(request)
    _discarded_message(request, triage.discard([case], staff))
    return redirect("cases:inbox")


def undo_limit() -> datetime:
    return clock.now() - timedelta(minutes=settings.TROPA_DISCARD_UNDO_MINUTES)


@coordinators_only
def discarded(request: HttpRequest) -> HttpResponse:
    """Requests discarded within the undo window; after it the watcher shreds them."""
    now = clock.now()
    limit = undo_limit()
    recent = Case.objects.filter(status=Status.DISCARDED, discarded_at__gte=limit)
    page = Page.of(request.GET.get("page"), recent.count())
    cases = list(
        recent.only(*ROW_FIELDS, "discarded_at").order_by("-discarded_at", "pk")[
            page.offset : page.offset + PAGE_SIZE
        ]
    )
    rows = rows_of(cases, now)
    for row in rows:
        left = row.case.discarded_at - limit  # type: ignore[operator]
        row.minutes_left = max(1, int(left.total_seconds() // 60))
    context = {
        "rows": rows,
        "page": page,
        "undo_minutes": settings.TROPA_DISCARD_UNDO_MINUTES,
    }
    return render(request, "cases/discarded.html", context)


@coordinators_only
@require_POST
def restore(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = _triage_case(staff, case_id)
    if case.status == Status.NEW:
        messages.info(request, _("This request is already back in the inbox."))
    elif case.status != Status.DISCARDED:
        return _already_handled(request)
    elif triage.undo_discard(case, staff):
        messages.success(request, _("The request is back in the inbox."))
    else:
        messages.error(request, _("Too late: the undo window has passed and the request is gone."))
    return redirect("cases:discarded")


# Accept and merge --------------------------------------------------------


@coordinators_only
@require_POST
def accept(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    staff = _staff(request)
    case = _triage_case(staff, case_id)
    if case.status != Status.NEW or not can_manage(staff, case):
        return _already_handled(request)
    try:
        triage.accept(case, staff, _keys(request))
    except actions.NotAllowed:
        return _already_handled(request)
    except (NoAccess, vault.CannotOpen):
        return _no_key(request)
    # Flash messages live in the session row, whose old versions outlast it:
    # they carry no alias and no content, ever.
    messages.success(request, _("Accepted as a case."))
    if staff.role == Role.TRIAGE:  # the case is the team's now, no longer theirs to see
        return redirect("cases:inbox")
    return redirect("cases:case", case_id=case.pk)


def merge_targets(staff: Staff, source: Case) -> QuerySet[Case]:
    """Open cases of the coordinator's team: the ones they can manage and open."""
    if staff.team_id is None:
        return Case.objects.none()
    return (
        visible_cases(staff)
        .filter(team_id=staff.team_id, status__in=OPEN_STATUSES)
        .exclude(pk=source.pk)
    )


def _target(staff: Staff, source: Case, raw: str) -> Case | None:
    try:
        target_id = uuid.UUID(raw)
    except ValueError:
        return None
    return merge_targets(staff, source).select_related("keyring").filter(pk=target_id).first()


@coordinators_only
def merge(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Pick the case this request belongs to (GET), confirm it, merge (POST)."""
    staff = _staff(request)
    source = _triage_case(staff, case_id)
    if source.status != Status.NEW or not can_manage(staff, source):
        return _already_handled(request)
    if request.method == "POST":
        target = _target(staff, source, request.POST.get("target", ""))
        if target is None:
            messages.error(request, _("Choose an open case of your team to merge into."))
            return redirect("cases:merge", case_id=source.pk)
        try:
            triage.merge(source, target, staff, _keys(request))
        except actions.NotAllowed:
            return _already_handled(request)
        except (NoAccess, vault.CannotOpen):
            return _no_key(request)
        messages.success(request, _("The request is now part of that case."))
        return redirect("cases:case", case_id=target.pk)

    targets = merge_targets(staff, source)
    query = request.GET.get("q", "").strip()[:60]
    chosen = None
    if request.GET.get("target"):
        chosen = _target(staff, source, request.GET["target"])
        if chosen is None:
            messages.error(request, _("Choose an open case of your team to merge into."))
    # Aliases are Cyrillic: SQLite's LIKE folds only ASCII case, so match here.
    options = sorted(targets.values_list("pk", "alias"), key=lambda row: row[1].casefold())
    if query:
        options = [row for row in options if query.casefold() in row[1].casefold()]
    context = {
        "source": source,
        "chosen": chosen,
        "query": query,
        "options": options[:MAX_TARGET_OPTIONS],
        "more_options": max(0, len(options) - MAX_TARGET_OPTIONS),
        "recent": targets.only("pk", "alias", "status", "triaged_at").order_by("-triaged_at", "pk")[
            :RECENT_TARGETS
        ],
    }
    return render(request, "cases/merge.html", context)
