"""Published releases: the tables of a period made safe (disclosure.py),
signed with the release key, stored, and never computed again.

Publishing a period that has a release returns that release; only an
explicit supersede (with a reason) makes a new one, and the one it replaces
stays readable, marked as superseded. A period is a whole month ("2026-11") or
a whole year ("2026"), and only once it has ended.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Min
from django.utils import translation
from django.utils.translation import gettext as _

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import stats as case_stats
from tropa.cases.models import Outcome
from tropa.core.models import Tally
from tropa.keyring import actions as keyring
from tropa.keyring.models import Keyring, Purpose, RecipientKind
from tropa.reports import disclosure, measures, scope
from tropa.reports.models import Release, ReleaseKey, ReleaseStatus
from tropa.reports.tables import Table, month_label

FORMAT = "tropa-release/1"
PUBLISHERS = (Role.ANALYST, Role.ADMIN)


class Refused(ValueError):
    """A release that cannot be made, said in the user's language."""


@dataclass(frozen=True)
class Period:
    text: str
    start: date
    end: date  # the first day of the last month

    @property
    def label(self) -> str:
        return self.text if len(self.text) == 4 else month_label(self.start)


def parse_period(text: str, today: date) -> Period:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12:
            raise Refused(_("A period is a month such as 2026-11, or a year such as 2026."))
        period = Period(text, date(year, month, 1), date(year, month, 1))
    elif re.fullmatch(r"\d{4}", text):
        period = Period(text, date(int(text), 1, 1), date(int(text), 12, 1))
    else:
        raise Refused(_("A period is a month such as 2026-11, or a year such as 2026."))
    if scope.Scope(period.start, period.end).last_day >= today:
        raise Refused(_("A period can be published once it has ended."))
    return period


# The tables a release can hold: key -> (how to count it, whether it has totals)
def _cumulative(period: Period) -> Table:
    since = first_month() or period.start
    whole = scope.Scope(since, period.end)
    received = sum(whole.tally(case_stats.RECEIVED).values_list("n", flat=True))
    closed = scope.by(whole.tally(case_stats.CLOSED), "value")
    rows = [("requests", _("Requests received")), *[(k, str(v)) for k, v in Outcome.choices]]
    cells = [[received], *[[closed.get((k,), 0)] for k, _v in Outcome.choices]]
    return Table(
        "since-start",
        _("Since %(month)s, in all") % {"month": month_label(since)},
        _("Measure"),
        rows,
        [("n", _("Count"))],
        cells,
        chart="bars",
        totals=False,
    )


TABLES: dict[str, Any] = {
    "requests-situation": lambda p: measures.requests_by_situation(scope.Scope(p.start, p.end)),
    "requests-channel": lambda p: measures.requests_by_channel(scope.Scope(p.start, p.end)),
    "outcomes": lambda p: measures.outcomes(scope.Scope(p.start, p.end)),
    "outcomes-region": lambda p: measures.outcomes_by_region(scope.Scope(p.start, p.end)),
    "since-start": _cumulative,
}


def table_titles() -> list[tuple[str, str]]:
    return [
        ("requests-situation", _("Requests by situation")),
        ("requests-channel", _("Requests by channel")),
        ("outcomes", _("Outcomes")),
        ("outcomes-region", _("Outcomes by region group")),
        ("since-start", _("Totals since the start")),
    ]


def first_month() -> date | None:
    found = Tally.objects.filter(measure=case_stats.RECEIVED, n__gt=0).aggregate(m=Min("day"))
    return found["m"]


# The key


def _holders() -> list[Staff]:
    return list(Staff.objects.filter(is_active=True, role__in=PUBLISHERS).exclude(public_key=b""))


def signing_keys(staff: Staff, staff_keys: vault.KeyPair) -> tuple[ReleaseKey, vault.KeyPair]:
    """The release key, opened with this person's keys; made by the first
    publisher. Active analysts and admins without a copy get one."""
    with transaction.atomic():
        current = ReleaseKey.objects.select_for_update().order_by("-pk").first()
        if current is None:
            keys = vault.generate_keypair()
            ring = Keyring.objects.create(purpose=Purpose.RELEASE, public_key=keys.public_key)
            _intake, recovery = keyring.org_public_keys()
            keyring._seal(ring, keys, RecipientKind.RECOVERY, recovery)
            current = ReleaseKey.objects.create(
                keyring=ring, verify_key=vault.release_verify_key(keys)
            )
        else:
            try:
                keys = keyring.open_keyring(current.keyring, staff, staff_keys)
            except keyring.NoAccess as error:
                raise Refused(
                    _(
                        "You hold no copy of the release key yet: an analyst or admin who "
                        "has published before shares it the next time they publish."
                    )
                ) from error
        have = set(
            current.keyring.envelopes.filter(
                recipient_kind=RecipientKind.STAFF, recipient_public_key=F("staff__public_key")
            ).values_list("staff_id", flat=True)
        )
        for person in _holders():
            if person.pk not in have:
                keyring.grant_staff(current.keyring, keys, person)
        return current, keys


# Building a release


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def printed_entries(table: dict[str, Any]) -> dict[str, object]:
    """Entry key -> printed figure, as disclosure.release names them."""
    rows = [r[0] for r in table["rows"]]
    cols = [c[0] for c in table["columns"]]
    found: dict[str, object] = {}
    for r, row in enumerate(table["cells"]):
        for c, value in enumerate(row):
            found[f"cell/{rows[r]}/{cols[c]}"] = value
    if table.get("row_totals"):
        found.update({f"row/{rows[r]}": v for r, v in enumerate(table["row_totals"])})
        found.update({f"col/{cols[c]}": v for c, v in enumerate(table["column_totals"])})
        found["all"] = table["total"]
    return found


def _earlier(key: str) -> dict[str, tuple[object, int]]:
    """For each entry of table `key`, the figure last printed and its true count."""
    found: dict[str, tuple[object, int]] = {}
    for old in Release.objects.order_by("published_at", "number"):
        document = json.loads(old.document)
        for table in document["tables"]:
            if table["key"] != key:
                continue
            basis = old.basis.get(key, {})
            for entry, value in printed_entries(table).items():
                if entry in basis:
                    found[entry] = (value, basis[entry])
    return found


def _safe(table: Table, rules: disclosure.Rules) -> tuple[dict[str, Any], dict[str, int]]:
    with translation.override("en"):
        rows = [[k, str(label)] for k, label in table.rows]
        columns = [[k, str(label)] for k, label in table.columns]
        title, row_title = str(table.title), str(table.row_title)
    made = disclosure.release(
        table.cells,
        rules,
        _earlier(table.key),
        ([k for k, _l in table.rows], [k for k, _l in table.columns]),
        margins=table.totals,
    )
    document = {
        "key": table.key,
        "title": title,
        "row_title": row_title,
        "rows": rows,
        "columns": columns,
        "cells": made.cells,
        "row_totals": made.row_totals if table.totals else [],
        "column_totals": made.column_totals if table.totals else [],
        "total": made.total if table.totals else None,
    }
    return document, made.basis


def current(period: str) -> Release | None:
    return Release.objects.filter(period=period, status=ReleaseStatus.PUBLISHED).first()


def publish(
    period: Period,
    chosen: list[str],
    by: Staff,
    by_keys: vault.KeyPair,
    *,
    supersede: bool = False,
    reason: str = "",
    rules: disclosure.Rules | None = None,
) -> tuple[Release, bool]:
    """Freeze a release of `period` with the `chosen` tables, and say whether
    it is new: the stored one comes back if there is one and no supersede is asked."""
    rules = rules or disclosure.Rules()
    unknown = [key for key in chosen if key not in TABLES]
    if not chosen or unknown:
        raise Refused(_("Choose at least one of the tables offered."))
    if by.role not in PUBLISHERS:
        raise Refused(_("Only analysts and admins publish statistics."))
    existing = current(period.text)
    if existing is not None and not supersede:
        return existing, False
    if supersede and not reason.strip():
        raise Refused(_("Say why the release is superseded: the reason is printed with it."))
    key, keys = signing_keys(by, by_keys)
    with transaction.atomic():
        tables, basis = [], {}
        with translation.override("en"):
            built = [TABLES[k](period) for k in [k for k, _t in table_titles() if k in chosen]]
        for table in built:
            document, table_basis = _safe(table, rules)
            tables.append(document)
            basis[table.key] = table_basis
        number = (
            Release.objects.filter(period=period.text)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        document = {
            "format": FORMAT,
            "period": period.text,
            "number": number,
            "published_on": scope.today().isoformat(),
            "supersedes": str(existing.pk) if existing else None,
            "reason": reason.strip() if existing else "",
            "rules": rules.as_dict(),
            "since": (first_month() or period.start).isoformat(),
            "tables": tables,
            "verify_key": bytes(key.verify_key).hex(),
        }
        signed = canonical(document)
        release = Release.objects.create(
            period=period.text,
            number=number,
            published_by=by,
            key=key,
            document=signed.decode(),
            signature=vault.sign_release(keys, signed),
            basis=basis,
            reason=document["reason"],
        )
        if existing is not None:
            Release.objects.filter(pk=existing.pk).update(
                status=ReleaseStatus.SUPERSEDED, superseded_by=release
            )
            record(by, Action.RELEASE_SUPERSEDED)
        record(by, Action.RELEASE_PUBLISHED)
    return release, True


def verify(document: bytes, signature: bytes, verify_key: bytes) -> bool:
    return vault.verify_release(verify_key, document, signature)


def document_of(release: Release) -> dict[str, Any]:
    return json.loads(release.document)
