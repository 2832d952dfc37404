"""The case page: answers, reveal, timeline, replies, notes, files, status, tasks.

The helpers at the top are shared by the other case page test modules.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tropa import vault
from tropa.accounts.models import Role
from tropa.audit.models import Action
from tropa.cases import actions, files, timeline
from tropa.cases import triage as case_triage
from tropa.cases.models import Attachment, Case, Kind, Message, ReplyTemplate, Status, Task
from tropa.conftest import russian_client
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.testing.factories import (
    HANDLE,
    NAME,
    PDF,
    STORY,
    audited,
    case_url,
    count_queries,
    ivan_not_offered,
    new_case,
    new_request,
    page_text,
    sealed,
    signed_in_client,
)


@pytest.fixture
def case(coordinator, consultant) -> tuple[str, Case]:
    return new_case(coordinator, consultant)


@pytest.fixture
def ivan(signed_in, consultant):
    return signed_in(consultant)


@pytest.fixture
def olga(signed_in, coordinator):
    return signed_in(coordinator)


# --- answers and reveal -----------------------------------------------------


def test_it_shows_the_answers_with_labels_and_hides_name_and_handle(ivan, case):
    _codename, c = case
    response = ivan.get(case_url(c))
    page = page_text(response)
    assert response.status_code == 200
    assert c.alias in page
    assert "Tell us what happened and what help you need" in page
    assert STORY in page
    assert "Tatarstan" in page  # the region's label, not its code
    assert NAME not in page and HANDLE not in page
    assert page.count('name="question"') == 2
    assert audited(Action.CASE_VIEWED, c) == 1


def test_it_shows_the_labels_in_russian(signed_in, consultant, case):
    client = signed_in(consultant, russian_client())
    page = page_text(client.get(case_url(case[1])))
    assert '<html lang="ru"' in page
    assert "Что с вами происходит?" in page


def test_it_reveals_a_name_on_one_page_only_and_audits_it(ivan, case):
    _codename, c = case
    response = ivan.post(case_url(c, "reveal/"), {"question": "name"})
    assert response.status_code == 200
    assert NAME in page_text(response)
    assert HANDLE not in page_text(response)
    assert audited(Action.DETAILS_REVEALED, c) == 1
    # Not kept anywhere: the next page hides it again.
    assert NAME not in page_text(ivan.get(case_url(c)))


def test_it_refuses_to_reveal_what_is_not_hidden(ivan, case):
    _codename, c = case
    response = ivan.post(case_url(c, "reveal/"), {"question": "story"}, follow=True)
    assert "There is nothing hidden by that name" in page_text(response)
    assert audited(Action.DETAILS_REVEALED, c) == 0


def test_it_shows_a_new_request_with_triage_buttons_to_a_coordinator(olga, coordinator):
    _codename, request = new_request()
    page = page_text(olga.get(case_url(request)))
    assert "New request" in page
    assert f"/staff/cases/{request.pk}/accept/" in page
    assert f"/staff/cases/{request.pk}/merge/" in page
    assert f"/staff/cases/{request.pk}/discard/" in page
    assert STORY in page and NAME not in page
    assert f'action="/staff/cases/{request.pk}/reply/' not in page


# --- replies, notes, events -----------------------------------------------


def test_a_reply_reaches_the_requester_and_a_note_never_does(ivan, case):
    codename, c = case
    response = ivan.post(case_url(c, "reply/"), {"text": "Reply-marker-R1", "action": "send"})
    assert response.status_code == 302
    assert response.url == case_url(c) + "#timeline-end"
    assert ivan.post(case_url(c, "note/"), {"text": "Note-marker-N1"}).status_code == 302

    staff_page = page_text(ivan.get(case_url(c)))
    assert "Reply-marker-R1" in staff_page and "Note-marker-N1" in staff_page
    assert "Internal — never shown to the requester" in staff_page
    assert staff_page.index("Reply-marker-R1") < staff_page.index("Note-marker-N1")  # newest last

    portal = page_text(signed_in_client(codename).get("/portal/"))
    assert "Reply-marker-R1" in portal
    assert "Note-marker-N1" not in portal
    assert audited(Action.REPLY_SENT, c) == 1 and audited(Action.NOTE_ADDED, c) == 1


def test_it_shows_requester_messages_and_events_readably(ivan, case, coordinator):
    codename, c = case
    requester, who = intake.find_requester(codename)
    intake.send_message(requester, who, "Requester-marker-M1", [])
    actions.set_status(c, Status.IN_TRANSIT, coordinator.staff, coordinator.keys())
    page = page_text(ivan.get(case_url(c)))
    assert "From the requester" in page and "Requester-marker-M1" in page
    assert "The request was accepted as a case." in page
    assert "ivan was put on the case." in page
    assert "Status changed from “Active” to “In transit”." in page
    assert "assigned:ivan" not in page


def test_an_empty_reply_is_refused_and_nothing_is_stored(ivan, case):
    _codename, c = case
    before = Message.objects.count()
    response = ivan.post(case_url(c, "reply/"), {"text": "  ", "action": "send"})
    assert response.status_code == 400
    assert "Write a reply or choose a file." in page_text(response)
    assert Message.objects.count() == before


def test_an_empty_note_is_refused(ivan, case):
    response = ivan.post(case_url(case[1], "note/"), {"text": ""})
    assert response.status_code == 400
    assert "Write the note first." in page_text(response)


# --- reply templates ---------------------------------------------------------


def test_use_template_fills_the_reply_and_keeps_what_was_typed(ivan, case):
    _codename, c = case
    template = ReplyTemplate.objects.create(
        language="en", title="First contact", body="Template-body-T1: we are here to help."
    )
    ReplyTemplate.objects.create(language="ru", title="Первый контакт", body="Русский-шаблон")
    page = page_text(ivan.get(case_url(c)))
    assert "First contact" in page and "Первый контакт" not in page

    before = Message.objects.count()
    response = ivan.post(
        case_url(c, "reply/"),
        {"text": "Hello,", "template": template.pk, "action": "template"},
    )
    assert response.status_code == 200
    textarea = re.search(
        r"<textarea[^>]*name=\"text\"[^>]*>(.*?)</textarea>", page_text(response), re.S
    )
    assert textarea is not None
    assert "Hello," in textarea.group(1) and "Template-body-T1" in textarea.group(1)
    assert Message.objects.count() == before


# --- status and outcome -----------------------------------------------------


def test_closing_needs_an_outcome_and_reopening_works(ivan, case):
    _codename, c = case
    response = ivan.post(case_url(c, "status/"), {"status": "closed", "outcome": ""})
    assert response.status_code == 400
    page = page_text(response)
    assert "Choose an outcome to close the case." in page
    assert re.search(r'<option value="closed" selected>', page)
    c.refresh_from_db()
    assert c.status == Status.ACTIVE

    response = ivan.post(case_url(c, "status/"), {"status": "closed", "outcome": "left_country"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.outcome) == (Status.CLOSED, "left_country")
    page = page_text(ivan.get(case_url(c)))
    assert "Left the country" in page and "Reopen the case" in page

    # A closed case takes no reply, and says why.
    response = ivan.post(case_url(c, "reply/"), {"text": "late", "action": "send"}, follow=True)
    assert "a closed case must be reopened first" in page_text(response)
    assert not Message.objects.filter(case=c, kind=Kind.REPLY).exists()

    assert ivan.post(case_url(c, "status/"), {"status": "active"}).status_code == 302
    c.refresh_from_db()
    assert (c.status, c.outcome, c.closed_at) == (Status.ACTIVE, "", None)


# --- tasks ------------------------------------------------------------------


def test_tasks_stand_out_when_overdue_and_can_be_done(ivan, case, consultant):
    _codename, c = case
    due = (clock.now() + timedelta(days=1)).date().isoformat()
    response = ivan.post(
        case_url(c, "tasks/"),
        {"title": "Call the lawyer T7", "owner": consultant.staff.pk, "due": due},
    )
    assert response.status_code == 302
    task = Task.objects.get(case=c)
    assert b"Call the lawyer T7" not in bytes(task.sealed_title)
    page = page_text(ivan.get(case_url(c)))
    assert "Call the lawyer T7" in page and "overdue" not in page

    with clock.moved(timedelta(days=3)):
        page = page_text(ivan.get(case_url(c)))
        assert 'class="task overdue"' in page
        listing = page_text(ivan.get("/staff/cases/"))
        assert "overdue" in listing

    assert ivan.post(case_url(c, f"tasks/{task.pk}/done/")).status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None


def test_a_task_due_in_the_past_is_refused_with_the_title_kept(ivan, case, consultant):
    _codename, c = case
    past = (clock.now() - timedelta(days=2)).date().isoformat()
    response = ivan.post(
        case_url(c, "tasks/"),
        {"title": "Late task L1", "owner": consultant.staff.pk, "due": past},
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "That date has passed." in page and 'value="Late task L1"' in page
    assert not Task.objects.exists()


# --- files ------------------------------------------------------------------


def test_a_reply_file_reaches_the_requester_and_back(ivan, case):
    codename, c = case
    response = ivan.post(
        case_url(c, "reply/"),
        {
            "text": "See the leaflet",
            "action": "send",
            "files": [SimpleUploadedFile("leaflet ü.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(case=c)
    assert PDF not in b"".join(bytes(ch.data) for ch in attachment.chunks.all())

    # Staff download, audited.
    response = ivan.get(case_url(c, f"files/{attachment.pk}/"))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert audited(Action.FILE_READ, c) == 1
    assert audited(Action.FILE_ADDED, c) == 1

    # The requester sees it in the portal and downloads it.
    portal = signed_in_client(codename)
    assert "leaflet ü.pdf" in page_text(portal.get("/portal/"))
    response = portal.get(f"/portal/files/{attachment.pk}/")
    assert response.status_code == 200 and response.content == PDF


def test_team_files_are_for_the_case_key_only(ivan, case):
    codename, c = case
    response = ivan.post(
        case_url(c, "files/"),
        {"caption": "Scan of the summons", "files": [SimpleUploadedFile("scan.pdf", PDF)]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(case=c)
    assert attachment.message.kind == Kind.NOTE
    page = page_text(ivan.get(case_url(c)))
    assert "scan.pdf" in page and "Scan of the summons" in page
    assert ivan.get(case_url(c, f"files/{attachment.pk}/")).content == PDF

    portal = signed_in_client(codename)
    assert "scan.pdf" not in page_text(portal.get("/portal/"))
    assert portal.get(f"/portal/files/{attachment.pk}/").status_code == 404


def test_a_refused_file_keeps_the_reply_text(ivan, case):
    _codename, c = case
    response = ivan.post(
        case_url(c, "reply/"),
        {
            "text": "Kept-text-K1",
            "action": "send",
            "files": [SimpleUploadedFile("x.exe", b"MZ\x00\x00")],
        },
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "Kept-text-K1" in page and "is not a photo, PDF or text file" in page
    assert not Message.objects.filter(case=c, kind=Kind.REPLY).exists()


def test_uploads_need_the_csrf_token(signed_in, consultant, case):
    client = signed_in(consultant)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        case_url(case[1], "files/"), {"files": [SimpleUploadedFile("a.pdf", PDF)]}
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_file_of_another_case_is_not_found(ivan, case, coordinator, consultant):
    _codename, other = new_case(coordinator, consultant)
    files.note_with_files(
        other, consultant.staff, consultant.keys(), "", [sealed("other.pdf", PDF)]
    )
    attachment = Attachment.objects.get(case=other)
    assert ivan.get(case_url(case[1], f"files/{attachment.pk}/")).status_code == 404


# --- assignment panel ---------------------------------------------------------


def test_the_coordinator_sees_caseloads_transfers_and_unassigns(
    olga, case, consultant, make_person
):
    _codename, c = case
    petr = make_person("petr", Role.CONSULTANT)
    page = page_text(olga.get(case_url(c)))
    assert "petr — 0 open cases" in page
    assert ivan_not_offered(page)

    response = olga.post(
        case_url(c, "assign/"), {"staff": petr.staff.pk, "instead_of": consultant.staff.pk}
    )
    assert response.status_code == 302
    assert list(c.assignments.values_list("staff__username", flat=True)) == ["petr"]

    response = olga.post(case_url(c, "unassign/"), {"staff": petr.staff.pk})
    assert response.status_code == 302
    assert not c.assignments.exists()
    page = page_text(olga.get(case_url(c)))
    assert "petr was taken off the case." in page


def test_a_consultant_sees_no_assignment_panel(ivan, case):
    page = page_text(ivan.get(case_url(case[1])))
    assert "/assign/" not in page and "/unassign/" not in page


# --- the list -----------------------------------------------------------------


def test_the_list_shows_my_cases_and_my_teams_cases(signed_in, coordinator, consultant, outsider):
    _c1, mine = new_case(coordinator, consultant)
    _c2, team_only = new_case(coordinator)
    ivan_page = page_text(signed_in(consultant).get("/staff/cases/"))
    assert mine.alias in ivan_page and team_only.alias not in ivan_page
    olga_page = page_text(signed_in(coordinator).get("/staff/cases/"))
    assert mine.alias in olga_page and team_only.alias in olga_page
    assert mine.alias not in page_text(signed_in(outsider).get("/staff/cases/"))


def test_the_list_filters_by_status(ivan, case, coordinator):
    _codename, c = case
    actions.set_status(c, Status.CLOSED, coordinator.staff, coordinator.keys(), "detained")
    assert c.alias not in page_text(ivan.get("/staff/cases/"))
    assert c.alias in page_text(ivan.get("/staff/cases/?status=closed"))
    assert c.alias in page_text(ivan.get("/staff/cases/?status=all"))


def test_the_list_costs_the_same_queries_for_more_rows(olga, coordinator, consultant):
    for _ in range(2):
        new_case(coordinator, consultant)
    few = count_queries(olga, "/staff/cases/")
    for _ in range(8):
        _codename, c = new_case(coordinator, consultant)
        actions.add_task(c, consultant.staff, coordinator.staff, coordinator.keys(), "t", None)
    assert count_queries(olga, "/staff/cases/") == few


def test_the_case_page_costs_the_same_queries_for_5_or_50_entries(ivan, case, consultant):
    _codename, c = case
    keys = actions.open_case(c, consultant.staff, consultant.keys())

    def add(n: int) -> None:
        for i in range(n):
            kind = Kind.NOTE if i % 2 else Kind.REPLY
            message = timeline.append(
                c,
                kind,
                vault.seal_to_many(f"entry {i}".encode(), [keys.public_key]),
                consultant.staff,
            )
            if i % 5 == 0:
                files.note_with_files(
                    c, consultant.staff, consultant.keys(), "", [sealed("f.pdf", PDF)]
                )
                del message

    add(2)  # with the two events (accepted, assigned) and a note with a file: 5 entries
    few = count_queries(ivan, case_url(c))
    add(45)
    assert Message.objects.filter(case=c).count() >= 50
    assert count_queries(ivan, case_url(c)) == few


# --- keys that do not open, merged requests ---------------------------------------


def test_a_viewer_without_a_key_gets_a_clear_message_not_an_error(olga, case, coordinator):
    from tropa.keyring.actions import revoke_staff

    _codename, c = case
    revoke_staff(c.keyring, coordinator.staff)
    response = olga.get(case_url(c))
    assert response.status_code == 403
    page = page_text(response)
    assert "You hold no key for this case" in page and STORY not in page
    response = olga.post(case_url(c, "note/"), {"text": "x"}, follow=True)
    assert "You hold no key for this case" in page_text(response)
    assert not Message.objects.filter(case=c, kind=Kind.NOTE).exists()


def test_a_merged_request_shows_its_answers_with_the_name_hidden(olga, case, coordinator):
    _codename, c = case
    _second, request = new_request()
    case_triage.merge(request, c, coordinator.staff, coordinator.keys())
    page = page_text(olga.get(case_url(c)))
    assert "A new request from the same person was merged into this case." in page
    assert "The merged request" in page
    assert page.count(STORY) == 2  # the case's own answers and the merged ones
    assert NAME not in page
    revealed = page_text(olga.post(case_url(c, "reveal/"), {"question": "name"}))
    assert revealed.count(NAME) == 2


def test_a_long_timeline_opens_on_its_latest_entries(coordinator, signed_in):
    from tropa.cases import actions as case_actions
    from tropa.cases import case_page as case_views
    from tropa.intake import actions as intake

    _codename, case = intake.submit_request({"situation": "summons"}, "ru")
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    for i in range(case_views.TIMELINE_RECENT + 5):
        case_actions.note(case, coordinator.staff, keys, f"note number {i:03d}")
    client = signed_in(coordinator)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    # The acceptance event and the first notes are folded away; the latest are there.
    assert "earlier entries are not shown" in page
    assert f"note number {case_views.TIMELINE_RECENT + 4:03d}" in page
    assert "note number 000" not in page
    whole = client.get(f"/staff/cases/{case.pk}/?all=1").content.decode()
    assert "note number 000" in whole
    assert "earlier entries are not shown" not in whole
