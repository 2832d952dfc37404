"""Old audit entries become counts in an anchor; the chain still verifies
from the anchor on, and any edit of an anchor or of what follows it shows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings

from tropa.audit import anchors
from tropa.audit.log import record, verify
from tropa.audit.models import Action, Anchor, Entry
from tropa.core import clock

pytestmark = pytest.mark.django_db

OLD = settings.TROPA_RETAIN_AUDIT_DAYS + 10


@pytest.fixture
def history(admin, consultant):
    """Entries written OLD days ago (and older), then one today. (The entries
    the fixtures wrote today go first: the chain starts here.)"""
    Entry.objects.all().delete()
    with clock.moved(timedelta(days=-OLD - 40)):
        record(admin.staff, Action.STAFF_CREATED, target=consultant.staff)
    with clock.moved(timedelta(days=-OLD)):
        for _ in range(3):
            record(consultant.staff, Action.CASE_VIEWED, case_id=uuid.uuid4())
    old = Entry.objects.count()
    record(consultant.staff, Action.LOGIN, target=consultant.staff)
    return old


def test_old_entries_become_counts_and_the_chain_still_verifies(history):
    total = Entry.objects.count()
    assert anchors.summarise_old() == history
    anchor = Anchor.objects.get()
    assert anchor.entries == history and anchor.through_seq == history
    assert sum(n for month in anchor.summary.values() for n in month.values()) == history
    assert sum(m.get("case_viewed", 0) for m in anchor.summary.values()) == 3
    assert "actor" not in str(anchor.summary) and "-" in next(iter(anchor.summary))
    assert not Entry.objects.filter(seq__lte=history).exists()
    verdict = verify()
    assert verdict.ok and verdict.summarised == history
    # what stayed, plus the entry saying the summary was made
    assert verdict.checked == total - history + 1
    assert Entry.objects.filter(action=Action.AUDIT_SUMMARISED, count=history).count() == 1
    assert anchors.summarise_old() == 0  # nothing older left


def test_a_second_anchor_follows_the_first(history, consultant):
    anchors.summarise_old()
    with clock.moved(timedelta(days=OLD + 5)):
        record(consultant.staff, Action.LOGOUT, target=consultant.staff)
        summarised = anchors.summarise_old()
    assert summarised > 0 and Anchor.objects.count() == 2
    first, second = Anchor.objects.order_by("through_seq")
    assert second.prev_hash == first.hash
    assert verify().ok


def test_a_broken_stretch_is_never_summarised(history):
    Entry.objects.filter(seq=2).update(action=Action.PANIC_WIPE)
    with pytest.raises(anchors.BrokenChain):
        anchors.summarise_before(clock.now() - timedelta(days=settings.TROPA_RETAIN_AUDIT_DAYS))
    assert anchors.summarise_old() == 0
    assert not Anchor.objects.exists() and Entry.objects.filter(seq=2).exists()
    assert not verify().ok


def test_an_edited_anchor_is_found(history):
    anchors.summarise_old()
    anchor = Anchor.objects.get()
    Anchor.objects.filter(pk=anchor.pk).update(summary={"2020-01": {"login": 1}})
    verdict = verify()
    assert not verdict.ok and verdict.reason == "an anchor was changed"


def test_an_anchor_that_hides_entries_is_found(history):
    anchors.summarise_old()
    anchor = Anchor.objects.get()
    anchor.entries -= 1
    anchor.hash = anchor.compute_hash()
    anchor.save()
    assert not verify().ok


def test_removing_the_first_entry_after_the_anchor_is_found(history):
    anchors.summarise_old()
    Entry.objects.order_by("seq").first().delete()
    verdict = verify()
    assert not verdict.ok and verdict.reason == "an entry is missing"


def test_when_every_entry_is_summarised_the_next_one_follows_the_anchor(admin, consultant):
    with clock.moved(timedelta(days=-OLD)):
        record(admin.staff, Action.STAFF_CREATED, target=consultant.staff)
    Entry.objects.exclude(action=Action.STAFF_CREATED, actor=admin.staff).delete()
    Entry.objects.update(seq=1, prev_hash="0" * 64)
    entry = Entry.objects.get()
    Entry.objects.filter(pk=entry.pk).update(hash=entry.compute_hash())
    assert anchors.summarise_old() == 1
    assert verify().ok
