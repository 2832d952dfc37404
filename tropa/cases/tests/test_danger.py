"""A colleague in danger: one press disables the account, ends its sessions,
deletes every key copy addressed to it (its password opens nothing after),
takes it off its cases, alerts the team; only admins and the team's
coordinators may press it; orphaned cases come back with the recovery key."""

from __future__ import annotations

import pytest

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.audit.models import Action, Entry
from tropa.cases import danger
from tropa.cases.models import Assignment, Case
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, RecipientKind
from tropa.notify.models import NotificationKind, Outbox
from tropa.testing.factories import case_url, new_case

pytestmark = pytest.mark.django_db


def press(client, person, confirm=None):
    return client.post(
        f"/staff/people/{person.staff.pk}/danger/",
        {"confirm": person.username if confirm is None else confirm},
        follow=True,
    )


def test_one_press_takes_every_key_and_the_password_opens_nothing(
    admin, coordinator, consultant, signed_in
):
    _c, case = new_case(coordinator, consultant)
    ivan = signed_in(consultant)
    assert ivan.get(case_url(case)).status_code == 200
    page = press(signed_in(admin), consultant).content.decode()
    assert "holds no key any more" in page
    staff = Staff.objects.get(pk=consultant.staff.pk)
    assert not staff.is_active and staff.in_danger_at is not None
    assert not Envelope.objects.filter(recipient_kind=RecipientKind.STAFF, staff=staff).exists()
    assert not Assignment.objects.filter(staff=staff).exists()
    assert Case.objects.get(pk=case.pk).staff_count == 0
    # the session held on his phone is over
    assert ivan.get(case_url(case)).status_code == 302
    # his password still unwraps his own key pair, and that key opens no case
    keys = vault.unwrap_staff_key(staff.wrapped_key(), consultant.password)
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(case.keyring, staff, keys)
    assert Entry.objects.filter(action=Action.STAFF_IN_DANGER, target_staff=staff).count() == 1
    alerted = Outbox.objects.filter(kind=NotificationKind.COLLEAGUE_IN_DANGER)
    assert set(alerted.values_list("staff_id", flat=True)) <= {coordinator.staff.pk}


def test_the_team_sees_it_on_the_home_page_and_the_cases_as_unassigned(
    coordinator, consultant, signed_in
):
    _c, case = new_case(coordinator, consultant)
    olga = signed_in(coordinator)
    press(olga, consultant)
    home = olga.get("/staff/").content.decode()
    assert 'id="home-in-danger"' in home and "ivan" in home
    assert case.alias in home  # in the unassigned block, to give to someone else


def test_a_wrong_confirmation_does_nothing(admin, consultant, signed_in):
    page = press(signed_in(admin), consultant, confirm="ivan?").content.decode()
    assert "Nothing was done" in page
    assert Staff.objects.get(pk=consultant.staff.pk).is_active


def test_only_admins_and_the_teams_coordinators_may_press_it(
    coordinator, consultant, outsider, make_person, signed_in
):
    for someone in (outsider, make_person("pavel", Role.ANALYST)):
        assert press(signed_in(someone), consultant).status_code == 404
    assert press(signed_in(coordinator), coordinator).status_code == 404  # not oneself
    elsewhere = make_person("zoya", Role.COORDINATOR)
    Staff.objects.filter(pk=elsewhere.staff.pk).update(team=None)
    assert press(signed_in(elsewhere), consultant).status_code == 404
    assert Staff.objects.get(pk=consultant.staff.pk).is_active


def test_cases_nobody_else_can_open_come_back_with_the_recovery_key(
    org, admin, coordinator, consultant, make_person
):
    _c, case = new_case(coordinator, consultant)
    # the only coordinator of the team is the one detained; a new one joins
    danger.mark_in_danger(coordinator.staff, actor=admin.staff)
    marked = danger.orphaned(Case.objects.filter(pk=case.pk))
    assert list(marked) == []  # ivan still holds it
    danger.mark_in_danger(consultant.staff, actor=admin.staff)
    assert list(danger.orphaned(Case.objects.filter(pk=case.pk))) == [case]
    newcomer = make_person("nina", Role.COORDINATOR)
    Staff.objects.filter(pk=newcomer.staff.pk).update(team=case.team)
    newcomer.staff.refresh_from_db()
    with pytest.raises(vault.CannotOpen):
        danger.restore_orphans(newcomer.staff, vault.generate_keypair())
    assert danger.restore_orphans(newcomer.staff, org) == 1
    assert keyring.can_open(case.keyring, newcomer.staff)
    assert list(danger.orphaned(Case.objects.filter(pk=case.pk))) == []
