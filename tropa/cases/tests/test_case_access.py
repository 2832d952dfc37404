"""Who may open a case page, its files and its actions: everyone else gets a 404.

For each role (admin, the team's coordinator, another team's coordinator, the
assigned consultant, a consultant not on the case, an analyst, anonymous) and
each case URL: it works, or it answers 404 (anonymous: the sign-in page).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tropa.accounts.models import Role, Team
from tropa.cases import actions, files
from tropa.cases.models import Attachment, Case, Message, Status, Task
from tropa.conftest import english_client
from tropa.keyring.actions import NoAccess, open_keyring
from tropa.testing.factories import (
    PDF,
    case_url,
    new_case,
    new_request,
    page_text,
    sealed,
)

WORKS = "works"
DENIED = "404"
SIGN_IN = "sign-in"


@pytest.fixture
def other_coordinator(make_person):
    """A coordinator of another team: holds the intake key, not this team's cases."""
    person = make_person("boris", Role.COORDINATOR)
    person.staff.team = Team.objects.create(name="South")
    person.staff.save(update_fields=["team"])
    return person


@pytest.fixture
def world(coordinator, consultant, make_person):
    """A case of the coordinator's team with ivan on it, a file, a task, another consultant."""
    _codename, case = new_case(coordinator, consultant)
    files.note_with_files(case, consultant.staff, consultant.keys(), "", [sealed("a.pdf", PDF)])
    task = actions.add_task(
        case, consultant.staff, coordinator.staff, coordinator.keys(), "t", None
    )
    petr = make_person("petr", Role.CONSULTANT)
    return {
        "case": case,
        "attachment": Attachment.objects.get(case=case),
        "task": task,
        "petr": petr,
        "ivan": consultant,
    }


def requests_for(world) -> list[tuple[str, str, str, dict[str, object] | None]]:
    """(name, method, url, data) for every case URL; unassign last, it ends the setup."""
    case = world["case"]
    return [
        ("page", "get", case_url(case), None),
        ("download", "get", case_url(case, f"files/{world['attachment'].pk}/"), None),
        ("reveal", "post", case_url(case, "reveal/"), {"question": "name"}),
        ("reply", "post", case_url(case, "reply/"), {"text": "hello", "action": "send"}),
        ("note", "post", case_url(case, "note/"), {"text": "a note"}),
        (
            "upload",
            "post",
            case_url(case, "files/"),
            {"files": [SimpleUploadedFile("b.pdf", PDF)]},
        ),
        (
            "add_task",
            "post",
            case_url(case, "tasks/"),
            {"title": "call", "owner": str(world["ivan"].staff.pk)},
        ),
        ("task_done", "post", case_url(case, f"tasks/{world['task'].pk}/done/"), None),
        ("status", "post", case_url(case, "status/"), {"status": "in_transit"}),
        ("assign", "post", case_url(case, "assign/"), {"staff": str(world["petr"].staff.pk)}),
        ("unassign", "post", case_url(case, "unassign/"), {"staff": str(world["petr"].staff.pk)}),
    ]


def expected(role: str, name: str) -> str:
    if role == "anonymous":
        return SIGN_IN
    if role == "coordinator":
        return WORKS
    if role == "consultant":
        return DENIED if name in ("assign", "unassign") else WORKS
    return DENIED


def outcome(response) -> str:
    if response.status_code == 404:
        return DENIED
    if response.status_code == 302 and response.url.startswith("/staff/login/"):
        return SIGN_IN
    if response.status_code in (200, 302):
        return WORKS
    return f"status {response.status_code}"


ROLES = ["admin", "coordinator", "other_coordinator", "consultant", "outsider", "analyst"]


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_each_case_url_works_or_is_not_found(role, request, world, signed_in):
    anonymous = role == "anonymous"
    client = english_client() if anonymous else signed_in(request.getfixturevalue(role))
    before = (Message.objects.count(), Attachment.objects.count(), Task.objects.count())
    seen = {}
    for name, method, url, data in requests_for(world):
        response = getattr(client, method)(url, data or {})
        seen[name] = outcome(response)
    assert seen == {name: expected(role, name) for name in seen}
    if expected(role, "page") != WORKS:
        # Nothing was written by those who were turned away.
        after = (Message.objects.count(), Attachment.objects.count(), Task.objects.count())
        assert after == before
        world["case"].refresh_from_db()
        assert world["case"].status == Status.ACTIVE


@pytest.mark.parametrize("role", ROLES)
def test_the_case_list_and_templates_are_for_casework_roles(role, request, signed_in, world):
    client = signed_in(request.getfixturevalue(role))
    listing = client.get("/staff/cases/")
    if role in ("coordinator", "consultant", "outsider", "other_coordinator"):
        assert listing.status_code == 200
        shown = world["case"].alias in page_text(listing)
        assert shown == (role in ("coordinator", "consultant"))
    else:
        assert listing.status_code == 404
    wanted = 200 if role in ("coordinator", "other_coordinator") else 404
    assert client.get("/staff/templates/").status_code == wanted


def test_a_new_request_is_for_coordinators_only(
    signed_in, coordinator, consultant, other_coordinator
):
    _codename, request = new_request()
    assert signed_in(coordinator).get(case_url(request)).status_code == 200
    # Any coordinator triages new requests (they all hold the intake key).
    assert signed_in(other_coordinator).get(case_url(request)).status_code == 200
    assert signed_in(consultant).get(case_url(request)).status_code == 404


def test_another_teams_coordinator_holds_no_key_either(world, other_coordinator):
    case: Case = world["case"]
    with pytest.raises(NoAccess):
        open_keyring(case.keyring, other_coordinator.staff, other_coordinator.keys())


def test_a_consultant_taken_off_a_case_cannot_open_it_with_an_old_session(
    signed_in, coordinator, consultant
):
    # Given ivan on a case, with the case page open in his browser
    _codename, case = new_case(coordinator, consultant)
    ivan = signed_in(consultant)
    assert ivan.get(case_url(case)).status_code == 200
    attachment_url = None
    files.note_with_files(case, consultant.staff, consultant.keys(), "", [sealed("c.pdf", PDF)])
    attachment_url = case_url(case, f"files/{Attachment.objects.get(case=case).pk}/")
    assert ivan.get(attachment_url).status_code == 200

    # When the coordinator takes him off it
    olga = signed_in(coordinator)
    response = olga.post(case_url(case, "unassign/"), {"staff": str(consultant.staff.pk)})
    assert response.status_code == 302

    # Then the same session, with the old URLs, finds nothing
    assert ivan.get(case_url(case)).status_code == 404
    assert ivan.get(attachment_url).status_code == 404
    assert ivan.post(case_url(case, "note/"), {"text": "still here?"}).status_code == 404
    # and no copy of the case key is left for him.
    with pytest.raises(NoAccess):
        open_keyring(case.keyring, consultant.staff, consultant.keys())
