"""Recount the tally from the rows present (`tropa stats rebuild`): for a
database made before the tally existed, or after a restore. Counts kept for
cases shredded since are lost by a recount, so it asks to be confirmed."""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import stats as case_stats
from tropa.core import tally
from tropa.core.models import Tally
from tropa.core.tally import Facts
from tropa.journeys import stats as journey_stats


def counted_now() -> Facts:
    total: Facts = Counter()
    for facts in case_stats.everything():
        total.update(facts)
    for facts in journey_stats.everything():
        total.update(facts)
    return total


def rebuild() -> int:
    with transaction.atomic():
        tally.replace_all(counted_now())
        record(None, Action.TALLY_REBUILT)
        return Tally.objects.count()
