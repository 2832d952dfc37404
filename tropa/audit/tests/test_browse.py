"""Admins browse and verify the audit log; nobody else sees it."""

from __future__ import annotations

import uuid

import pytest

from tropa.audit.log import record
from tropa.audit.models import Action, Entry

pytestmark = pytest.mark.django_db


def rows(response) -> str:
    """The table body only (the filter's options name every action too)."""
    return response.content.decode().split("<tbody>", 1)[1]


def test_it_lists_entries_newest_first_for_admins(admin, consultant, signed_in):
    client = signed_in(admin)
    case = uuid.uuid4()
    record(consultant.staff, Action.NOTE_ADDED, case_id=case)
    page = rows(client.get("/staff/audit/"))
    assert "Added an internal note" in page
    assert str(case)[:8] in page
    assert page.index("Added an internal note") < page.index("Signed in")  # the sign-in came first


def test_it_filters_by_action_staff_and_case(admin, consultant, signed_in):
    case = uuid.uuid4()
    record(consultant.staff, Action.NOTE_ADDED, case_id=case)
    record(admin.staff, Action.REPLY_SENT, case_id=uuid.uuid4())
    client = signed_in(admin)
    page = rows(client.get("/staff/audit/", {"action": "note_added"}))
    assert "Added an internal note" in page and "Replied to the requester" not in page
    page = rows(client.get("/staff/audit/", {"case": str(case)}))
    assert "Added an internal note" in page and "Replied to the requester" not in page
    page = client.get("/staff/audit/", {"case": "not-a-uuid"}).content.decode()
    assert "That is not a case id." in page


def test_it_verifies_the_chain_and_says_where_it_breaks(admin, signed_in):
    client = signed_in(admin)
    response = client.post("/staff/audit/verify/", follow=True)
    assert "The audit chain is intact" in response.content.decode()
    first = Entry.objects.order_by("seq").first()
    Entry.objects.filter(seq=first.seq).update(action=Action.PANIC_WIPE)
    response = client.post("/staff/audit/verify/", follow=True)
    assert f"broken at entry {first.seq}" in response.content.decode()


def test_nobody_but_admins_sees_it(coordinator, consultant, analyst, signed_in):
    for person in (coordinator, consultant, analyst):
        client = signed_in(person)
        assert client.get("/staff/audit/").status_code == 404
        assert client.post("/staff/audit/verify/").status_code == 404


def test_the_page_costs_the_same_queries_for_many_entries(
    admin, consultant, signed_in, django_assert_max_num_queries
):
    client = signed_in(admin)
    for _ in range(60):
        record(consultant.staff, Action.CASE_VIEWED, case_id=uuid.uuid4(), target=admin.staff)
    with django_assert_max_num_queries(12):
        assert client.get("/staff/audit/").status_code == 200
