"""The audit chain: every entry covers the one before; verify finds the break."""

from __future__ import annotations

import uuid

import pytest

from tropa.audit.log import record, verify
from tropa.audit.models import Action, Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(consultant, admin):
    case = uuid.uuid4()
    record(admin.staff, Action.STAFF_CREATED, target=consultant.staff)
    record(consultant.staff, Action.LOGIN, target=consultant.staff)
    record(consultant.staff, Action.LOGOUT, case_id=case)
    return list(Entry.objects.order_by("seq"))


def test_it_links_each_entry_to_the_previous(chain):
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


def test_an_untouched_chain_verifies(chain):
    verdict = verify()
    assert verdict.ok
    assert verdict.checked == Entry.objects.count()


def test_it_finds_an_edited_entry(chain):
    target = chain[-2]
    Entry.objects.filter(seq=target.seq).update(action=Action.PANIC_WIPE)
    verdict = verify()
    assert not verdict.ok
    assert verdict.broken_at == target.seq
    assert "changed" in verdict.reason


def test_it_finds_an_entry_rewritten_with_a_fresh_hash(chain):
    target = chain[-2]
    target.action = Action.PANIC_WIPE
    target.hash = target.compute_hash()
    target.save()
    verdict = verify()
    assert not verdict.ok
    assert verdict.broken_at == target.seq + 1


def test_it_finds_a_deleted_entry(chain):
    Entry.objects.filter(seq=chain[-2].seq).delete()
    verdict = verify()
    assert not verdict.ok
    assert verdict.broken_at == chain[-2].seq


def test_it_walks_long_chains_in_batches(consultant):
    for _ in range(25):
        record(consultant.staff, Action.LOGIN)
    assert verify(batch=7).checked == Entry.objects.count()


def test_entries_hold_no_content_fields():
    names = {field.name for field in Entry._meta.get_fields()}
    assert names == {
        "seq",
        "at",
        "actor",
        "action",
        "case_id",
        "target_staff",
        "count",  # a number (cases a search found), never content
        "prev_hash",
        "hash",
    }


def test_a_count_is_covered_by_the_hash(admin):
    entry = record(admin.staff, Action.SEARCHED, count=3)
    Entry.objects.filter(seq=entry.seq).update(count=4)
    assert not verify().ok
