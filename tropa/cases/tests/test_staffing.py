"""Moving a staff member between teams deletes the case keys they no longer need.

Need-to-know: after the move a person holds a case key only for cases they
are still assigned to, or (a coordinator) cases of their new team. Each test
checks the database itself, as a seized server would show it.
"""

from __future__ import annotations

import pytest

from tropa.accounts.models import Team
from tropa.audit.models import Action
from tropa.audit.models import Entry as AuditEntry
from tropa.cases import actions, events, staffing
from tropa.cases.models import Assignment, Kind
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, RecipientKind
from tropa.testing.factories import new_case


@pytest.fixture
def south():
    return Team.objects.create(name="South")


def copies_of(person, case) -> int:
    return Envelope.objects.filter(
        keyring=case.keyring, recipient_kind=RecipientKind.STAFF, staff=person.staff
    ).count()


def test_a_coordinator_moved_to_another_team_holds_none_of_the_old_teams_keys(
    admin, coordinator, signed_in, south
):
    # Given a coordinator who holds the key of a case of her team
    _codename, case = new_case(coordinator)
    assert copies_of(coordinator, case) == 1

    # When an admin moves her to another team
    response = signed_in(admin).post(
        f"/staff/people/{coordinator.staff.pk}/team/", {"team": south.pk}
    )

    # Then her copy is gone from the database, and her keys open nothing of it
    assert response.status_code == 302
    coordinator.staff.refresh_from_db()
    assert coordinator.staff.team == south
    assert copies_of(coordinator, case) == 0
    with pytest.raises(keyring.NoAccess):
        actions.open_case(case, coordinator.staff, coordinator.keys())
    assert AuditEntry.objects.filter(
        action=Action.TEAM_CHANGED, target_staff=coordinator.staff
    ).exists()


def test_a_consultant_moved_away_is_taken_off_the_old_teams_cases(
    admin, coordinator, consultant, south
):
    _codename, case = new_case(coordinator, consultant)
    assert copies_of(consultant, case) == 1

    revoked = staffing.change_team(consultant.staff, south, actor=admin.staff)

    assert revoked == 1
    assert copies_of(consultant, case) == 0
    assert not Assignment.objects.filter(case=case, staff=consultant.staff).exists()
    # The team sees why on the timeline; the coordinator still opens the case.
    keys = actions.open_case(case, coordinator.staff, coordinator.keys())
    stored = [
        events.decode(e.body)
        for e in actions.read_timeline(case, keys)
        if e.message.kind == Kind.EVENT
    ]
    assert stored[-1].kind == events.CaseEvent.UNASSIGNED
    assert stored[-1].payload == {"name": consultant.username}
    assert AuditEntry.objects.filter(
        action=Action.CASE_UNASSIGNED, case_id=case.pk, target_staff=consultant.staff
    ).exists()


def test_a_consultant_can_be_kept_on_their_cases_by_explicit_choice(
    admin, coordinator, consultant, signed_in, south
):
    _codename, case = new_case(coordinator, consultant)

    signed_in(admin).post(
        f"/staff/people/{consultant.staff.pk}/team/",
        {"team": south.pk, "keep_assignments": "on"},
    )

    consultant.staff.refresh_from_db()
    assert consultant.staff.team == south
    assert Assignment.objects.filter(case=case, staff=consultant.staff).exists()
    assert actions.open_case(case, consultant.staff, consultant.keys())


def test_a_coordinator_kept_on_a_case_keeps_that_key_only(admin, coordinator, south):
    _c1, assigned = new_case(coordinator)
    _c2, other = new_case(coordinator)
    actions.assign(assigned, coordinator.staff, coordinator.staff, coordinator.keys())

    staffing.change_team(coordinator.staff, south, actor=admin.staff, keep_assignments=True)

    assert copies_of(coordinator, assigned) == 1
    assert copies_of(coordinator, other) == 0


def test_the_duty_coordinator_of_the_old_team_is_cleared(admin, coordinator, south):
    old = coordinator.staff.team
    old.duty_coordinator = coordinator.staff
    old.save(update_fields=["duty_coordinator"])

    staffing.change_team(coordinator.staff, south, actor=admin.staff)

    old.refresh_from_db()
    assert old.duty_coordinator is None


def test_moving_within_the_same_team_revokes_nothing(admin, coordinator, consultant):
    _codename, case = new_case(coordinator, consultant)
    same = consultant.staff.team

    assert staffing.change_team(consultant.staff, same, actor=admin.staff) == 0
    assert copies_of(consultant, case) == 1
    assert Assignment.objects.filter(case=case, staff=consultant.staff).exists()


@pytest.mark.parametrize("team", ["", "north", "99999", "1; drop"])
def test_a_bad_team_is_refused_with_a_message(admin, consultant, signed_in, team):
    before = consultant.staff.team_id
    client = signed_in(admin)

    response = client.post(f"/staff/people/{consultant.staff.pk}/team/", {"team": team})

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Choose a team." in page
    consultant.staff.refresh_from_db()
    assert consultant.staff.team_id == before


def test_only_an_admin_moves_people(coordinator, consultant, signed_in, south):
    response = signed_in(coordinator).post(
        f"/staff/people/{consultant.staff.pk}/team/", {"team": south.pk}
    )
    assert response.status_code == 404
    consultant.staff.refresh_from_db()
    assert consultant.staff.team != south


def test_the_person_page_offers_the_choice_to_keep_cases(admin, consultant, signed_in):
    page = signed_in(admin).get(f"/staff/people/{consultant.staff.pk}/").content.decode()
    assert 'name="keep_assignments"' in page
    assert f'action="/staff/people/{consultant.staff.pk}/team/"' in page


def test_the_role_of_the_mover_is_checked_before_anything_moves(
    analyst, consultant, signed_in, south
):
    response = signed_in(analyst).post(
        f"/staff/people/{consultant.staff.pk}/team/", {"team": south.pk}
    )
    assert response.status_code == 404
