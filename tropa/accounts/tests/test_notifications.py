"""E-mail notifications say only that something is waiting."""

from __future__ import annotations

import pytest
from django.core import mail

from tropa.cases import triage as case_triage
from tropa.notify.outbox import deliver_outbox
from tropa.notify.outbox import tell as notify

pytestmark = pytest.mark.django_db


def test_it_saves_notification_settings(consultant, signed_in):
    client = signed_in(consultant)
    response = client.post(
        "/staff/account/", {"notify": "1", "email": "ivan@example.org", "notify_by_email": "on"}
    )
    assert response.status_code == 302
    consultant.staff.refresh_from_db()
    assert consultant.staff.email == "ivan@example.org"
    assert consultant.staff.notify_by_email


def test_it_keeps_a_bad_address_and_explains(consultant, signed_in):
    response = signed_in(consultant).post(
        "/staff/account/", {"notify": "1", "email": "not an address"}
    )
    page = response.content.decode()
    assert 'value="not an address"' in page
    assert "valid email" in page


def test_a_notification_carries_no_content(consultant):
    consultant.staff.email = "ivan@example.org"
    consultant.staff.save()
    assert notify(consultant.staff, "assigned")
    assert deliver_outbox() == 1
    message = mail.outbox[-1]
    assert message.to == ["ivan@example.org"]
    assert "something new" in message.body.lower() or "что-то новое" in message.body.lower()
    assert consultant.staff.username not in message.body


def test_no_address_or_turned_off_means_no_mail(consultant):
    assert not notify(consultant.staff, "message")
    consultant.staff.email = "ivan@example.org"
    consultant.staff.notify_by_email = False
    consultant.staff.save()
    assert not notify(consultant.staff, "message")
    assert mail.outbox == []


def test_a_requester_message_notifies_the_assigned_staff(
    coordinator, consultant, django_capture_on_commit_callbacks
):
    from tropa.cases import actions as case_actions
    from tropa.cases import triage as case_triage
    from tropa.intake import actions as intake

    consultant.staff.email = "ivan@example.org"
    consultant.staff.save()
    codename, case = intake.submit_request({"situation": "summons"}, "ru")
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    case_actions.assign(case, consultant.staff, coordinator.staff, coordinator.keys())
    deliver_outbox()
    assigned_mails = len(mail.outbox)
    requester, who = intake.find_requester(codename)
    with django_capture_on_commit_callbacks(execute=True):
        intake.send_message(requester, who, "hello", [])
    assert deliver_outbox() == 1
    assert len(mail.outbox) == assigned_mails + 1
    assert "hello" not in mail.outbox[-1].body


def test_a_due_task_is_announced_once_even_with_two_watchers(coordinator, consultant):
    from datetime import timedelta

    from tropa.cases import actions as case_actions
    from tropa.core import clock
    from tropa.intake import actions as intake

    consultant.staff.email = "ivan@example.org"
    consultant.staff.save()
    _codename, case = intake.submit_request({"situation": "summons"}, "ru")
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    case_actions.add_task(
        case,
        consultant.staff,
        coordinator.staff,
        coordinator.keys(),
        "call the lawyer",
        clock.now() + timedelta(hours=1),
    )
    assert case_actions.notify_due_tasks() == 0
    with clock.moved(timedelta(hours=2)):
        assert case_actions.notify_due_tasks() == 1
        assert case_actions.notify_due_tasks() == 0
        assert deliver_outbox() >= 1
    assert sum("call the lawyer" in m.body for m in mail.outbox) == 0
