"""The per-person queue copies (tropa/cases/queue.py) stay in step with the
cases they copy, through every write that changes them, and roll back with a
failed write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from tropa.accounts.models import Role
from tropa.cases import actions
from tropa.cases.models import OPEN_STATUSES, Assignment, Case, Caseload, LastSeen, Status
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.testing.factories import new_case

pytestmark = pytest.mark.django_db


def assert_in_step() -> None:
    """Every copy equals what the cases, the assignments and LastSeen say."""
    for a in Assignment.objects.select_related("case"):
        case = a.case
        seen = LastSeen.objects.filter(staff_id=a.staff_id, case=case).first()
        assert a.is_open == (case.status in OPEN_STATUSES), a
        assert a.waiting_since == case.waiting_since, a
        # Unread: an entry past what they read that someone else wrote
        news = case.messages.filter(seq__gt=seen.seq if seen else 0).exclude(author=a.staff_id)
        assert (a.unread_since is not None) == news.exists(), a
    for case in Case.objects.all():
        assert case.staff_count == Assignment.objects.filter(case=case).count(), case
    for load in Caseload.objects.all():
        assert (
            load.open_cases
            == Assignment.objects.filter(staff_id=load.staff_id, is_open=True).count()
        )


def queue_of(person) -> tuple[int, int]:
    mine = Assignment.objects.filter(staff=person.staff, is_open=True)
    return (
        mine.filter(waiting_since__isnull=False).count(),
        mine.filter(unread_since__isnull=False).count(),
    )


def write_as_requester(codename: str, text: str = "Any news?") -> None:
    requester, who = intake.find_requester(codename)  # type: ignore[misc]
    intake.send_message(requester, who, text, [])


def test_the_queue_follows_messages_replies_reads_and_notes(coordinator, consultant, make_person):
    colleague = make_person("marta", Role.CONSULTANT)
    codename, case = new_case(coordinator, consultant)
    actions.assign(case, colleague.staff, coordinator.staff, coordinator.keys())
    assert_in_step()
    # A new request waits; everything on it is new to both
    assert queue_of(consultant) == (1, 1) and queue_of(colleague) == (1, 1)
    actions.mark_read(Case.objects.get(pk=case.pk), consultant.staff)
    assert queue_of(consultant) == (1, 0)
    # My own reply ends the wait and is not news to me; it is to my colleague
    actions.reply(case, consultant.staff, consultant.keys(), "Hello")
    assert queue_of(consultant) == (0, 0) and queue_of(colleague) == (0, 1)
    assert_in_step()
    with clock.moved(timedelta(hours=2)):
        write_as_requester(codename)
        write_as_requester(codename, "still there?")
    assert queue_of(consultant) == (1, 1)
    waited = Assignment.objects.get(staff=consultant.staff).waiting_since
    assert waited == Case.objects.get(pk=case.pk).waiting_since  # since the first of the two
    # A colleague's note is news to me but ends no wait
    actions.mark_read(Case.objects.get(pk=case.pk), consultant.staff)
    actions.note(case, colleague.staff, colleague.keys(), "Called the lawyer")
    assert queue_of(consultant) == (1, 1)
    assert_in_step()


def test_a_page_drawn_before_a_new_message_leaves_that_message_unread(coordinator, consultant):
    codename, case = new_case(coordinator, consultant)
    drawn = Case.objects.get(pk=case.pk)  # the page the consultant is reading
    write_as_requester(codename)
    actions.mark_read(drawn, consultant.staff)
    assert queue_of(consultant)[1] == 1
    assert_in_step()


def test_assignments_closing_and_withdrawal_keep_the_counts(coordinator, consultant, make_person):
    colleague = make_person("marta", Role.CONSULTANT)
    codename, case = new_case(coordinator, consultant)
    _code, other = new_case(coordinator, consultant)
    assert Case.objects.get(pk=case.pk).staff_count == 1
    assert Caseload.objects.get(staff=consultant.staff).open_cases == 2
    # A colleague taking over starts with the case's wait, and with it unread
    actions.transfer(case, consultant.staff, colleague.staff, coordinator.staff, coordinator.keys())
    assert queue_of(colleague) == (1, 1)
    assert Caseload.objects.get(staff=consultant.staff).open_cases == 1
    assert_in_step()
    actions.unassign(case, colleague.staff, coordinator.staff, coordinator.keys())
    assert Case.objects.get(pk=case.pk).staff_count == 0
    # Closing takes the case out of every queue; opening it again puts it back
    actions.set_status(other, Status.CLOSED, coordinator.staff, coordinator.keys(), "left_country")
    assert Caseload.objects.get(staff=consultant.staff).open_cases == 0
    assert queue_of(consultant) == (0, 0)
    actions.set_status(other, Status.ACTIVE, coordinator.staff, coordinator.keys())
    assert Caseload.objects.get(staff=consultant.staff).open_cases == 1
    assert_in_step()
    # The person deletes everything: nothing of it waits for anyone
    requester, _who = intake.find_requester(codename)  # type: ignore[misc]
    actions.assign(case, consultant.staff, coordinator.staff, coordinator.keys())
    intake.delete_everything(requester)
    assert Caseload.objects.get(staff=consultant.staff).open_cases == 1
    assert Case.objects.get(pk=case.pk).waiting_since is None
    assert_in_step()


def test_a_failed_write_leaves_no_copy_behind(coordinator, consultant):
    codename, case = new_case(coordinator, consultant)
    actions.reply(case, consultant.staff, consultant.keys(), "Hello")
    actions.mark_read(Case.objects.get(pk=case.pk), consultant.staff)
    assert queue_of(consultant) == (0, 0)
    with pytest.raises(RuntimeError), transaction.atomic():
        write_as_requester(codename)
        assert queue_of(consultant) == (1, 1)
        raise RuntimeError("the write fails after the message")
    assert queue_of(consultant) == (0, 0)
    assert_in_step()
