"""The inbox's query: filters, facet counts, rows and pages of new requests.

Only plaintext metadata is read (coded situation, flags, region group,
priority, hour-precision age); the sealed answers are never loaded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa.cases.models import Case, CaseLabel, RegionGroup, Situation, Status
from tropa.core import languages

PAGE_SIZE = 50
MAX_BULK = 500
MAX_TARGET_OPTIONS = 300
RECENT_TARGETS = 10

# Flag filter value -> (model field, short badge saying why the priority).
FLAGS: dict[str, tuple[str, Any]] = {
    "report_soon": ("flag_report_soon", gettext_lazy("report-by date soon")),
    "front": ("flag_front", gettext_lazy("at the front")),
    "awol": ("flag_awol", gettext_lazy("absent from unit")),
    "illness": ("flag_illness", gettext_lazy("serious illness")),
    "poor_russian": ("flag_poor_russian", gettext_lazy("little Russian")),
    "deceived": ("flag_deceived", gettext_lazy("deceived into contract")),
    "relative": ("flag_relative", gettext_lazy("for a relative")),
}
AGES: dict[str, tuple[int, Any]] = {
    "1": (1, gettext_lazy("older than 1 day")),
    "3": (3, gettext_lazy("older than 3 days")),
    "7": (7, gettext_lazy("older than 7 days")),
}
# Only what a row shows; the sealed answers are never loaded here.
ROW_FIELDS = ("id", "priority", "situation", "region_group", "received_at") + tuple(
    field for field, _label in FLAGS.values()
)


@dataclass(frozen=True)
class Filters:
    situation: str = ""
    flag: str = ""
    region: str = ""
    age: str = ""
    label: str = ""  # a label's id
    language: str = ""

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """Unknown values are ignored, as if the filter were not set."""

        def pick(name: str, allowed: Any) -> str:
            value = params.get(name, "")
            return value if value in allowed else ""

        return cls(
            situation=pick("situation", Situation.values),
            flag=pick("flag", FLAGS),
            region=pick("region", RegionGroup.values),
            age=pick("age", AGES),
            label=params.get("label", "") if str(params.get("label", "")).isdigit() else "",
            language=pick("language", languages.CODES),
        )

    def apply(self, rows: QuerySet[Case], now: datetime, skip: str = "") -> QuerySet[Case]:
        """The filters, all but `skip` (a facet counts over the other filters)."""
        if self.situation and skip != "situation":
            rows = rows.filter(situation=self.situation)
        if self.flag and skip != "flag":
            rows = rows.filter(**{FLAGS[self.flag][0]: True})
        if self.region and skip != "region":
            rows = rows.filter(region_group=self.region)
        if self.age and skip != "age":
            rows = rows.filter(received_at__lt=now - timedelta(days=AGES[self.age][0]))
        if self.language and skip != "language":
            rows = rows.filter(language=self.language)
        if self.label and skip != "label":
            rows = rows.filter(case_labels__label_id=int(self.label))
        return rows

    @property
    def active(self) -> bool:
        return any((self.situation, self.flag, self.region, self.age, self.label, self.language))


def new_requests() -> QuerySet[Case]:
    """Every coordinator sees every new request (tropa.cases.access)."""
    return Case.objects.filter(status=Status.NEW)


def _grouped(rows: QuerySet[Case], field: str) -> dict[str, int]:
    counted = rows.order_by().values_list(field).annotate(n=Count("*"))
    return dict(counted)  # type: ignore[arg-type]


def facets(filters: Filters, now: datetime) -> dict[str, dict[str, int]]:
    """Counts per filter value: one GROUP BY (or one aggregate) query per facet."""
    base = new_requests()
    flag_counts = filters.apply(base, now, skip="flag").aggregate(
        **{name: Count("status", filter=Q(**{field: True})) for name, (field, _l) in FLAGS.items()}
    )
    age_counts = filters.apply(base, now, skip="age").aggregate(
        **{
            key: Count("status", filter=Q(received_at__lt=now - timedelta(days=days)))
            for key, (days, _l) in AGES.items()
        }
    )
    # Driven from the (small) label table, each row checked against the other
    # filters: not an IN over every new request.
    counted = filters.apply(base, now, skip="label").filter(pk=OuterRef("case_id"))
    labelled = CaseLabel.objects.filter(Exists(counted))
    return {
        "label": {str(k): n for k, n in _grouped(labelled, "label_id").items()},  # type: ignore[arg-type]
        "situation": _grouped(filters.apply(base, now, skip="situation"), "situation"),
        "region": _grouped(filters.apply(base, now, skip="region"), "region_group"),
        "language": _grouped(filters.apply(base, now, skip="language"), "language"),
        "flag": flag_counts,
        "age": age_counts,
    }


def options(
    choices: list[tuple[str, Any]], counts: dict[str, int], selected: str
) -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0),
            "selected": value == selected,
        }
        for value, label in choices
    ]


def age_label(received_at: datetime, now: datetime) -> str:
    hours = int((now - received_at).total_seconds() // 3600)
    if hours < 1:
        return _("< 1 h")
    if hours < 48:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(days)d d") % {"days": hours // 24}


@dataclass
class Row:
    case: Case
    age: str
    badges: list[str]
    minutes_left: int = 0


def rows_of(cases: list[Case], now: datetime) -> list[Row]:
    return [
        Row(
            case,
            age_label(case.received_at, now),
            [str(label) for field, label in FLAGS.values() if getattr(case, field)],
        )
        for case in cases
    ]


@dataclass(frozen=True)
class Page:
    number: int
    count: int
    pages: int

    @classmethod
    def of(cls, raw: str | None, count: int) -> Page:
        pages = max(1, -(-count // PAGE_SIZE))
        try:
            number = int(raw or 1)
        except ValueError:
            number = 1
        return cls(min(max(number, 1), pages), count, pages)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def first(self) -> int:
        return min(self.offset + 1, self.count)

    @property
    def last(self) -> int:
        return min(self.offset + PAGE_SIZE, self.count)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None
