"""Applications to safer countries: opened from a case, moved through their
stages, their dates as tasks with reminders, their checklist, the list, and
who may see any of it."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection

from tropa import vault
from tropa.assistance import actions, queries
from tropa.assistance.models import Application, ChecklistItem, KeyDate, Stage
from tropa.audit.models import Action
from tropa.audit.models import Entry as AuditEntry
from tropa.cases import actions as case_actions
from tropa.cases.models import Task
from tropa.core import clock
from tropa.notify.models import Outbox
from tropa.testing.factories import count_queries, new_case, page_text

pytestmark = pytest.mark.django_db


def url(app: Application, tail: str = "") -> str:
    return f"/staff/cases/{app.case_id}/applications/{app.pk}/{tail}"


def opened(coordinator, consultant, route: str = "humanitarian", country: str = "DE"):
    _code, case = new_case(coordinator, consultant)
    app = actions.open_application(case, consultant.staff, consultant.keys(), country, route, None)
    return case, app


def countries_listed(page: str) -> list[str]:
    return re.findall(r'data-label="Country">([^<]+)<', page)


def day(days: int):
    return (clock.now() + timedelta(days=days)).date()


def test_a_consultant_opens_an_application_with_its_route_checklist(
    coordinator, consultant, signed_in
):
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(
        f"/staff/cases/{case.pk}/applications/new/", {"country": "DE", "route": "humanitarian"}
    )
    app = Application.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == url(app)
    assert app.items == 7 and app.items_ready == 0 and app.lead == consultant.staff
    page = page_text(client.get(url(app)))
    assert "Germany, Humanitarian visa" in page and "Military ID" in page
    case_page = page_text(client.get(f"/staff/cases/{case.pk}/"))
    assert "Application opened: Germany, Humanitarian visa." in case_page
    assert "documents 0 of 7" in case_page
    assert AuditEntry.objects.filter(action=Action.APPLICATION_OPENED, case_id=case.pk).count() == 1


def test_an_unknown_country_is_refused_and_the_form_keeps_the_route(
    coordinator, consultant, signed_in
):
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(
        f"/staff/cases/{case.pk}/applications/new/", {"country": "XX", "route": "asylum"}
    )
    page = page_text(response)
    assert response.status_code == 200 and "Choose a country from the list." in page
    assert '<option value="asylum" selected>' in page
    assert not Application.objects.exists()


def test_the_outsider_gets_404_everywhere(coordinator, consultant, outsider, signed_in):
    case, app = opened(coordinator, consultant)
    client = signed_in(outsider)
    assert client.get(f"/staff/cases/{case.pk}/applications/new/").status_code == 404
    assert client.get(url(app)).status_code == 404
    assert client.post(url(app, "stage/"), {"stage-stage": "submitted"}).status_code == 404
    assert client.post(url(app, "dates/appointment/"), {"appointment-on": ""}).status_code == 404
    assert countries_listed(page_text(client.get("/staff/applications/"))) == []


def test_stages_go_forward_and_back_only_with_a_reason(coordinator, consultant, signed_in):
    case, app = opened(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(url(app, "stage/"), {"stage": "submitted"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.stage == Stage.SUBMITTED
    # Back without a reason: refused, in words, and the choice is kept
    response = client.post(url(app, "stage/"), {"stage": "preparing", "reason": ""})
    page = page_text(response)
    assert response.status_code == 400
    assert "Say why the application goes back to an earlier stage." in page
    assert '<option value="preparing" selected>' in page
    client.post(url(app, "stage/"), {"stage": "preparing", "reason": "Consulate lost the file"})
    app.refresh_from_db()
    assert app.stage == Stage.PREPARING
    timeline = page_text(client.get(f"/staff/cases/{case.pk}/"))
    assert "moved from “Submitted” to “Preparing”. Consulate lost the file" in timeline
    # A route without that stage: a return through the embassy has no interview
    _c2, back_home = opened(coordinator, consultant, route="repatriation", country="UZ")
    with pytest.raises(actions.Refused):
        actions.move_stage(back_home, Stage.INTERVIEWED, consultant.staff, consultant.keys())


def test_a_date_becomes_a_task_that_moves_with_it_and_goes_when_cleared(
    coordinator, consultant, signed_in
):
    _case, app = opened(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(url(app, "dates/appointment/"), {"appointment-on": str(day(10))})
    assert response.status_code == 302
    date = KeyDate.objects.get(application=app)
    task = Task.objects.get(pk=date.task_id)
    assert task.owner == consultant.staff
    assert task.due_at.date() == day(9)  # the day before, in the morning
    app.refresh_from_db()
    assert app.next_date == day(10)
    # Moved: the same task, due again before the new date
    Task.objects.filter(pk=task.pk).update(due_notified_at=clock.now())
    client.post(url(app, "dates/appointment/"), {"appointment-on": str(day(20))})
    task.refresh_from_db()
    assert task.due_at.date() == day(19) and task.due_notified_at is None
    assert Task.objects.filter(case=app.case).count() == 1
    # Cleared: no task left, no next date
    client.post(url(app, "dates/appointment/"), {"appointment-on": ""})
    assert not Task.objects.filter(case=app.case).exists()
    app.refresh_from_db()
    assert app.next_date is None


def test_a_past_appointment_or_a_bad_date_is_refused_and_kept(coordinator, consultant, signed_in):
    _case, app = opened(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(url(app, "dates/appointment/"), {"appointment-on": str(day(-2))})
    page = page_text(response)
    assert response.status_code == 400 and "That date has passed" in page
    assert f'value="{day(-2)}"' in page
    response = client.post(url(app, "dates/decision/"), {"decision-on": "31.02.2027"})
    page = page_text(response)
    assert response.status_code == 400 and "Write the date as day.month.year" in page
    assert 'value="31.02.2027"' in page
    assert not KeyDate.objects.exists()


@pytest.mark.django_db(transaction=True)  # the watchers' threads see committed rows
def test_reminders_of_a_date_are_sent_once_by_two_watchers_at_once(coordinator, consultant):
    consultant.staff.email = "ivan@example.org"  # a channel to be told by
    consultant.staff.save()
    _case, app = opened(coordinator, consultant)
    actions.set_date(app, "appeal_by", day(7), consultant.staff, consultant.keys())
    sent: list[int] = []
    ready = threading.Barrier(2)

    def watcher() -> None:
        try:
            ready.wait()
            sent.append(case_actions.notify_due_tasks())
        finally:
            connection.close()

    if connection.vendor == "sqlite":  # one connection in memory: in turn
        sent += [case_actions.notify_due_tasks(), case_actions.notify_due_tasks()]
    else:
        threads = [threading.Thread(target=watcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(sent) == [0, 1]
    assert Outbox.objects.filter(staff=consultant.staff, kind="task_due").count() == 1


def test_the_checklist_counts_and_warns_of_documents_missing_after_submission(
    coordinator, consultant, signed_in
):
    _case, app = opened(coordinator, consultant, route="unhcr", country="TR")
    client = signed_in(consultant)
    items = list(ChecklistItem.objects.filter(application=app))
    assert len(items) == 3
    for item in items[:2]:
        prefix = f"i{item.pk}"
        response = client.post(
            url(app, f"items/{item.pk}/"),
            {f"{prefix}-status": "have", f"{prefix}-note": "copy", f"{prefix}-attachment": ""},
        )
        assert response.status_code == 302
    client.post(url(app, "items/"), {"title": "Letter from the unit"})
    app.refresh_from_db()
    assert (app.items, app.items_ready) == (4, 2)
    actions.move_stage(app, Stage.SUBMITTED, consultant.staff, consultant.keys())
    app.refresh_from_db()
    assert app.missing_after_submission
    listed = page_text(client.get("/staff/applications/?needs_action=on"))
    assert app.case.alias in listed and "missing" in listed


def test_a_granted_application_suggests_the_case_outcome(coordinator, consultant, signed_in):
    case, app = opened(coordinator, consultant)
    client = signed_in(consultant)
    assert '<option value="legal_status" selected>' not in page_text(
        client.get(f"/staff/cases/{case.pk}/")
    )
    actions.decide(app, "granted", consultant.staff, consultant.keys())
    assert '<option value="legal_status" selected>' in page_text(
        client.get(f"/staff/cases/{case.pk}/")
    )


def test_a_decision_moves_the_stage_and_an_appeal_has_its_own(coordinator, consultant):
    case, app = opened(coordinator, consultant)
    actions.decide(app, "refused", consultant.staff, consultant.keys())
    assert (app.stage, actions.granted(case)) == (Stage.DECIDED, False)
    actions.decide(app, "appealed", consultant.staff, consultant.keys())
    assert app.stage == Stage.APPEAL
    actions.decide(app, "granted_appeal", consultant.staff, consultant.keys())
    assert app.stage == Stage.APPEAL and actions.granted(case)


def test_the_list_is_ordered_by_next_date_and_filtered(coordinator, consultant, signed_in):
    _c1, later = opened(coordinator, consultant, country="DE")
    _c2, sooner = opened(coordinator, consultant, route="residence", country="AM")
    actions.set_date(later, "decision", day(40), consultant.staff, consultant.keys())
    actions.set_date(sooner, "appointment", day(3), consultant.staff, consultant.keys())
    for who in (consultant, coordinator):
        page = page_text(signed_in(who).get("/staff/applications/"))
        assert countries_listed(page) == ["Armenia", "Germany"]
    client = signed_in(coordinator)
    only = page_text(client.get("/staff/applications/?country=AM"))
    assert countries_listed(only) == ["Armenia"]
    needing = page_text(client.get("/staff/applications/?needs_action=on"))
    assert countries_listed(needing) == ["Armenia"]
    home = page_text(client.get("/staff/"))
    assert "Applications that need action" in home and "date soon" in home


def test_the_list_costs_the_same_queries_for_2_or_12_applications(
    coordinator, consultant, signed_in
):
    def add(n: int) -> None:
        for _ in range(n):
            _c, app = opened(coordinator, consultant)
            actions.set_date(app, "appointment", day(5), consultant.staff, consultant.keys())

    add(2)
    few = count_queries(signed_in(coordinator), "/staff/applications/")
    add(10)
    assert count_queries(signed_in(coordinator), "/staff/applications/") == few


def test_a_coordinator_edits_a_routes_starting_checklist(coordinator, consultant, signed_in):
    client = signed_in(coordinator)
    response = client.post(
        "/staff/applications/checklists/",
        {"route": "residence", "residence-titles": "Passport\nRental contract\n\n"},
    )
    assert response.status_code == 302
    _case, app = opened(coordinator, consultant, route="residence", country="GE")
    assert app.items == 2
    titles = [
        actions.read_item(i, case_actions.open_case(app.case, consultant.staff, consultant.keys()))
        for i in ChecklistItem.objects.filter(application=app)
    ]
    assert [t.title for t in titles] == ["Passport", "Rental contract"]
    assert signed_in(consultant).get("/staff/applications/checklists/").status_code == 404


def test_tampered_details_do_not_open(coordinator, consultant):
    case, app = opened(coordinator, consultant)
    sealed = bytearray(app.sealed_details)
    sealed[-5] ^= 1
    app.sealed_details = bytes(sealed)
    keys = case_actions.open_case(case, consultant.staff, consultant.keys())
    with pytest.raises(vault.CannotOpen):
        actions.read_details(app, keys)


def test_the_needs_action_window(coordinator, consultant):
    _case, app = opened(coordinator, consultant)
    now = queries.today()
    app.next_date = now + timedelta(days=8)
    assert not queries.row(app, now).needs_action
    app.next_date = now + timedelta(days=7)
    assert queries.row(app, now).soon
    app.next_date = now - timedelta(days=1)
    assert queries.row(app, now).passed
