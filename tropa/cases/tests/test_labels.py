"""Labels (built-in and a team's own), saved views, and a coordinator's bulk actions."""

from __future__ import annotations

import pytest

from tropa.accounts.models import Role
from tropa.audit.models import Action, Entry
from tropa.cases.models import Assignment, BuiltinLabel, CaseLabel, Label, SavedView
from tropa.testing.factories import case_url, new_case, new_request

pytestmark = pytest.mark.django_db


def builtin(key: str) -> Label:
    return Label.objects.get(builtin=key, team=None)


def test_the_builtin_labels_exist_after_migrating():
    assert set(Label.objects.filter(team=None).values_list("builtin", flat=True)) == set(
        BuiltinLabel.values
    )


def test_a_consultant_labels_their_case_and_the_list_filters_by_it(
    coordinator, consultant, signed_in
):
    _code, case = new_case(coordinator, consultant)
    _code, other = new_case(coordinator, consultant)
    client = signed_in(consultant)
    foreign = builtin("foreign")
    assert client.post(case_url(case, "labels/"), {"label": foreign.pk}).status_code == 302
    html = client.get(case_url(case)).content.decode()
    assert "Foreign national" in html and "Label “Foreign national” added." in html
    listed = client.get(f"/staff/cases/?label={foreign.pk}").content.decode()
    assert case.alias in listed and other.alias not in listed
    client.post(case_url(case, "labels/"), {"label": foreign.pk, "remove": "1"})
    assert not CaseLabel.objects.exists()
    assert "Label “Foreign national” removed." in client.get(case_url(case)).content.decode()
    actions = list(Entry.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert Action.LABEL_ADDED in actions and Action.LABEL_REMOVED in actions


def test_bad_label_input_is_refused_kindly(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    for value in ("", "x", "999999"):
        response = client.post(case_url(case, "labels/"), {"label": value}, follow=True)
        assert response.status_code == 200
        assert "Choose a label from the list." in response.content.decode()
    assert not CaseLabel.objects.exists()


def test_an_outsider_cannot_label_a_case(coordinator, consultant, outsider, signed_in):
    _code, case = new_case(coordinator, consultant)
    client = signed_in(outsider)
    assert client.post(case_url(case, "labels/"), {"label": builtin("press").pk}).status_code == 404
    assert not CaseLabel.objects.exists()


def test_a_coordinator_defines_team_labels_that_other_teams_never_see(
    coordinator, consultant, make_person, signed_in
):
    client = signed_in(coordinator)
    assert client.post("/staff/labels/", {"name": "  Needs   lawyer "}).status_code == 302
    label = Label.objects.get(name="Needs lawyer")
    assert label.team_id == coordinator.staff.team_id
    twice = client.post("/staff/labels/", {"name": "needs lawyer"})
    assert twice.status_code == 400 and 'value="needs lawyer"' in twice.content.decode()
    assert signed_in(consultant).get("/staff/labels/").status_code == 404
    _code, case = new_case(coordinator, consultant)
    # A coordinator of another team cannot put this team's label on anything
    from tropa.accounts.actions import create_team
    from tropa.cases.staffing import change_team

    other_team = create_team("South", actor=None)
    stranger = make_person("sasha", Role.COORDINATOR)
    change_team(stranger.staff, other_team, actor=None)
    _code, theirs = new_case(stranger, None)
    stranger_client = signed_in(stranger)
    stranger_client.post(case_url(theirs, "labels/"), {"label": label.pk})
    assert not CaseLabel.objects.filter(label=label).exists()
    assert "Needs lawyer" not in stranger_client.get("/staff/labels/").content.decode()
    # Removing the label takes it off its cases
    signed_in(consultant).post(case_url(case, "labels/"), {"label": label.pk})
    assert CaseLabel.objects.filter(label=label).count() == 1
    client.post("/staff/labels/", {"remove": label.pk})
    assert not Label.objects.filter(pk=label.pk).exists() and not CaseLabel.objects.exists()


def test_new_requests_are_filtered_by_label_in_the_inbox(coordinator, signed_in):
    _code, labelled = new_request()
    _code, plain = new_request()
    client = signed_in(coordinator)
    press = builtin("press")
    client.post(case_url(labelled, "labels/"), {"label": press.pk})
    html = client.get(f"/staff/inbox/?label={press.pk}").content.decode()
    assert str(labelled.pk) in html and str(plain.pk) not in html
    assert "Press-sensitive (1)" in html


def test_a_saved_view_is_kept_per_person_and_shown_on_the_home_page(
    coordinator, consultant, signed_in
):
    client = signed_in(consultant)
    press = builtin("press")
    query = f"status=waiting&label={press.pk}&evil=1"
    assert (
        client.post("/staff/cases/views/", {"name": "Press waiting", "query": query}).status_code
        == 302
    )
    view = SavedView.objects.get()
    assert view.query == f"status=waiting&label={press.pk}"  # only what the filters accept
    home = client.get("/staff/").content.decode()
    assert "Press waiting" in home and f"/staff/cases/?status=waiting&amp;label={press.pk}" in home
    assert "Press waiting" not in signed_in(coordinator).get("/staff/").content.decode()
    assert (
        client.post("/staff/cases/views/", {"name": " ", "query": ""}, follow=True).status_code
        == 200
    )
    client.post(f"/staff/cases/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()


def test_a_coordinator_assigns_and_labels_many_cases_at_once(
    coordinator, consultant, make_person, signed_in
):
    cases = [new_case(coordinator)[1] for _ in range(3)]
    client = signed_in(coordinator)
    ids = [str(c.pk) for c in cases[:2]]
    response = client.post(
        "/staff/cases/bulk/",
        {"cases": ids, "action": "assign", "consultant": consultant.staff.pk},
        follow=True,
    )
    assert "Done for 2 of 2 cases." in response.content.decode()
    assert Assignment.objects.filter(staff=consultant.staff).count() == 2
    press = builtin("press")
    client.post(
        "/staff/cases/bulk/",
        {"cases": [str(c.pk) for c in cases], "action": "label", "label": press.pk},
    )
    assert CaseLabel.objects.filter(label=press).count() == 3
    # Bad input: nothing ticked, no action, a consultant who is not one
    for data in (
        {"action": "label", "label": press.pk},
        {"cases": ids},
        {"cases": ids, "action": "assign", "consultant": coordinator.staff.pk},
    ):
        assert client.post("/staff/cases/bulk/", data).status_code == 302
    assert Assignment.objects.filter(staff=consultant.staff).count() == 2
    # Consultants have no bulk actions
    assert (
        signed_in(consultant)
        .post("/staff/cases/bulk/", {"cases": ids, "action": "label", "label": press.pk})
        .status_code
        == 404
    )
