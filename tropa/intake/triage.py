"""From answers to the few coded fields triage may see in plaintext.

The priority formula (docs/intake.md) in one place:

    base by situation   at_front 40, awol 40, mobilised 30, contract 25,
                        summons 20, relative 15, other 10, abroad 5
    report-by date      overdue or within 3 days +30, within 7 days +20,
                        within 14 days +10
    serious illness     +15
    little Russian      +10 ("a little" or "hardly at all")
    deceived or forced into a contract   +15
    capped at 100.

Each term that applied is also a flag, so a coordinator sees why a request
got its priority.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tropa.cases.models import RegionGroup, Situation
from tropa.cases.questionnaire import Questionnaire
from tropa.core import clock

SITUATION_BASE = {
    Situation.AT_FRONT: 40,
    Situation.AWOL: 40,
    Situation.MOBILISED: 30,
    Situation.CONTRACT: 25,
    Situation.SUMMONS: 20,
    Situation.RELATIVE: 15,
    Situation.OTHER: 10,
    Situation.ABROAD: 5,
}
REPORT_SOON = [(3, 30), (7, 20), (14, 10)]
ILLNESS = 15
POOR_RUSSIAN = 10
DECEIVED = 15


@dataclass(frozen=True)
class Coded:
    situation: str
    region_group: str
    priority: int
    flag_report_soon: bool
    flag_front: bool
    flag_awol: bool
    flag_illness: bool
    flag_poor_russian: bool
    flag_deceived: bool
    flag_relative: bool

    def as_fields(self) -> dict[str, object]:
        return dict(self.__dict__)


def _days_until(value: object) -> int | None:
    if not isinstance(value, date):
        return None
    return (value - clock.now().date()).days


def code_answers(q: Questionnaire, answers: dict[str, object]) -> Coded:
    situation = str(answers.get("situation") or Situation.OTHER)
    region = q.region(str(answers.get("region") or ""))
    days = _days_until(answers.get("report_by"))
    report_bonus = 0
    if days is not None:
        report_bonus = next((bonus for limit, bonus in REPORT_SOON if days <= limit), 0)
    illness = answers.get("health") == "yes"
    poor_russian = answers.get("russian") in {"basic", "none"}
    deceived = answers.get("deceived") == "yes"
    relative = situation == Situation.RELATIVE or answers.get("asking") == "relative"
    priority = SITUATION_BASE.get(Situation(situation), 10) + report_bonus
    priority += ILLNESS * illness + POOR_RUSSIAN * poor_russian + DECEIVED * deceived
    return Coded(
        situation=situation,
        region_group=region.group if region else RegionGroup.UNKNOWN,
        priority=min(priority, 100),
        flag_report_soon=report_bonus > 0,
        flag_front=situation == Situation.AT_FRONT,
        flag_awol=situation == Situation.AWOL,
        flag_illness=illness,
        flag_poor_russian=poor_russian,
        flag_deceived=deceived,
        flag_relative=relative,
    )
