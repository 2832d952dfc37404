"""Missed check-ins, check-ins, the escalation ladder, duress and the outbox, with a moved clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from tropa.accounts.models import Role
from tropa.cases import actions as case_actions
from tropa.core import clock
from tropa.journeys import actions
from tropa.journeys.escalation import escalate_alerts, raise_missed_checkins
from tropa.journeys.models import Alert, AlertKind, Channel, CheckInKind, Stage
from tropa.notify.models import Outbox
from tropa.notify.outbox import deliver_outbox
from tropa.testing.factories import active_journey, case_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(coordinator, consultant, make_person):
    """An accepted case with a consultant, a second coordinator on duty, and an active leg
    that needs a check-in every 6 hours with 30 minutes' grace."""
    return active_journey(coordinator, consultant, make_person("duty", Role.COORDINATOR))


def mailed_to() -> list[str]:
    deliver_outbox()
    return sorted(address for message in mail.outbox for address in message.to)


def test_nothing_happens_before_deadline_plus_grace(journey):
    with clock.moved(timedelta(hours=6, minutes=29)):
        assert raise_missed_checkins() == 0
    assert not Alert.objects.exists()


def test_a_missed_checkin_alerts_the_consultant_then_escalates_on_schedule(
    journey, consultant, coordinator
):
    duty = journey["duty"]
    with clock.moved(timedelta(hours=6, minutes=31)):
        assert raise_missed_checkins() == 1
        assert raise_missed_checkins() == 0  # once only
        alert = Alert.objects.get()
        assert alert.kind == AlertKind.MISSED and alert.stage == Stage.CONSULTANTS
        assert mailed_to() == [consultant.staff.email]
        assert escalate_alerts() == 0
    with clock.moved(timedelta(hours=6, minutes=31 + 15)):
        assert escalate_alerts() == 1
        alert.refresh_from_db()
        assert alert.stage == Stage.DUTY
        assert duty.staff.email in mailed_to()
    with clock.moved(timedelta(hours=6, minutes=31 + 30)):
        assert escalate_alerts() == 1
        alert.refresh_from_db()
        assert alert.stage == Stage.TEAM and alert.next_escalation_at is None
        assert coordinator.staff.email in mailed_to()
    with clock.moved(timedelta(hours=9)):
        assert escalate_alerts() == 0  # the top of the ladder


def test_an_acknowledgement_stops_the_ladder_and_is_audited(journey, consultant):
    from tropa.audit.models import Action, Entry

    with clock.moved(timedelta(hours=6, minutes=31)):
        raise_missed_checkins()
        alert = Alert.objects.get()
        assert actions.acknowledge(alert, consultant.staff)
        assert not actions.acknowledge(alert, consultant.staff)
    with clock.moved(timedelta(hours=8)):
        assert escalate_alerts() == 0
    alert.refresh_from_db()
    assert alert.stage == Stage.CONSULTANTS
    assert Entry.objects.filter(action=Action.ALERT_ACKNOWLEDGED).count() == 1


def test_a_checkin_in_time_moves_the_deadline(journey):
    leg = journey["leg"]
    with clock.moved(timedelta(hours=5)):
        actions.check_in(leg, CheckInKind.SAFE, channel=Channel.WEB)
    with clock.moved(timedelta(hours=6, minutes=31)):
        assert raise_missed_checkins() == 0
    with clock.moved(timedelta(hours=11, minutes=31)):
        assert raise_missed_checkins() == 1


def said(checkin, person) -> CheckInKind | None:
    """What a check-in said, as a staff member who opens its case reads it."""
    case = checkin.leg.plan.case
    return actions.read_said(checkin, case_actions.open_case(case, person.staff, person.keys()))


def test_a_duress_checkin_looks_like_safe_and_climbs_the_same_ladder(
    journey, consultant, coordinator
):
    case, leg, who = journey["case"], journey["leg"], journey["who"]
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "Ромашка")
    leg.refresh_from_db()
    safe = actions.check_in(
        leg, CheckInKind.SAFE, channel=Channel.WEB, word="", requester_keys=who.keys
    )
    due_after_safe = leg.next_checkin_due
    assert said(safe, consultant) == CheckInKind.SAFE
    with clock.moved(timedelta(minutes=1)):
        duress = actions.check_in(
            leg, CheckInKind.SAFE, channel=Channel.WEB, word=" ромашка ", requester_keys=who.keys
        )
    assert said(duress, consultant) == CheckInKind.DURESS
    leg.refresh_from_db()
    # The deadline moved exactly as a safe check-in moves it.
    moved = leg.next_checkin_due - due_after_safe
    assert abs(moved - timedelta(minutes=1)) < timedelta(seconds=1)
    # One alert each, the same kind at the same stage, told to the same people.
    alerts = {alert.checkin_id: alert for alert in Alert.objects.all()}
    assert set(alerts) == {safe.pk, duress.pk}
    assert {(a.kind, a.stage) for a in alerts.values()} == {(AlertKind.CHECKIN, Stage.CONSULTANTS)}
    told = list(Outbox.objects.values_list("staff_id", "kind", "channel"))
    assert told == [(consultant.staff.pk, "alert_checkin", "email")] * 2
    # Unacknowledged, the duress climbs to the duty coordinator, then the team.
    actions.acknowledge(alerts[safe.pk], consultant.staff)
    with clock.moved(timedelta(minutes=17)):
        assert escalate_alerts() == 1
    with clock.moved(timedelta(minutes=33)):
        assert escalate_alerts() == 1
        assert coordinator.staff.email in mailed_to()
    # The word is not stored in plaintext anywhere on the plan.
    from tropa.journeys.models import Plan

    assert "ромашка".encode() not in bytes(Plan.objects.get(case=case).sealed_duress)


def test_the_case_timeline_keeps_every_checkin_after_its_alert_is_acknowledged(
    journey, consultant, signed_in
):
    case, leg, who = journey["case"], journey["leg"], journey["who"]
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "ромашка")
    leg.refresh_from_db()
    for word in ("", "ромашка"):
        actions.check_in(
            leg, CheckInKind.SAFE, channel=Channel.WEB, word=word, requester_keys=who.keys
        )
    for alert in Alert.objects.all():
        actions.acknowledge(alert, consultant.staff)
    page = signed_in(consultant).get(case_url(case)).content.decode()
    assert "the person said they are safe (Web form)" in page
    assert "DURESS: a check-in with the duress word (Web form)" in page
    assert 'id="alerts"' not in page  # nothing open any more


def test_a_wrong_word_is_an_ordinary_safe_checkin(journey, consultant):
    case, leg, who = journey["case"], journey["leg"], journey["who"]
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "ромашка")
    leg.refresh_from_db()
    checkin = actions.check_in(
        leg, "safe", channel=Channel.WEB, word="клён", requester_keys=who.keys
    )
    assert said(checkin, consultant) == CheckInKind.SAFE


def test_duress_is_never_chosen_only_detected(journey):
    with pytest.raises(ValueError):
        actions.check_in(journey["leg"], CheckInKind.DURESS, channel=Channel.WEB)
    with pytest.raises(ValueError):
        actions.check_in(journey["leg"], "hello", channel=Channel.WEB)


def test_a_tampered_checkin_reads_as_unknown_not_as_safe(journey, consultant):
    checkin = actions.check_in(journey["leg"], CheckInKind.HELP, channel=Channel.WEB)
    sealed = bytearray(checkin.sealed_kind)
    sealed[-1] ^= 1
    checkin.sealed_kind = bytes(sealed)
    assert said(checkin, consultant) is None


def test_need_help_alerts_the_consultants(journey, consultant):
    checkin = actions.check_in(journey["leg"], CheckInKind.HELP, channel=Channel.WEB)
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.CHECKIN and alert.stage == Stage.CONSULTANTS
    assert said(checkin, consultant) == CheckInKind.HELP
    assert mailed_to() == [consultant.staff.email]


def test_a_consultant_records_a_checkin_received_by_phone(journey, consultant):
    from tropa.audit.models import Action, Entry

    checkin = actions.check_in(
        journey["leg"], CheckInKind.SAFE, channel=Channel.STAFF, recorded_by=consultant.staff
    )
    assert checkin.recorded_by == consultant.staff
    assert Entry.objects.filter(action=Action.CHECKIN_RECORDED).exists()


def test_a_failed_leg_puts_its_backup_plan_up_as_tasks(journey, consultant):
    tasks = actions.fail_leg(journey["leg"], consultant.staff, consultant.keys())
    assert len(tasks) == 2
    journey["leg"].refresh_from_db()
    assert journey["leg"].status == "failed" and journey["leg"].next_checkin_due is None
    with clock.moved(timedelta(days=2)):
        assert raise_missed_checkins() == 0


def test_a_failed_delivery_is_retried_until_it_is_delivered(journey, consultant, monkeypatch):
    from tropa.notify import notifiers

    calls = {"n": 0}
    real = notifiers.EmailNotifier.send

    def flaky(self, staff, kind):
        calls["n"] += 1
        if calls["n"] < 3:
            raise notifiers.DeliveryFailed("SMTPServerDisconnected")
        return real(self, staff, kind)

    monkeypatch.setattr(notifiers.EmailNotifier, "send", flaky)
    actions.check_in(journey["leg"], CheckInKind.HELP, channel=Channel.WEB)
    assert deliver_outbox() == 0
    row = Outbox.objects.get()
    assert row.attempts == 1 and row.last_error == "SMTPServerDisconnected"
    assert deliver_outbox() == 0  # backing off: not yet
    with clock.moved(timedelta(seconds=31)):
        assert deliver_outbox() == 0
    with clock.moved(timedelta(seconds=95)):
        assert deliver_outbox() == 1
    row.refresh_from_db()
    assert row.delivered_at is not None and row.attempts == 3
    subject = mail.outbox[0].subject
    assert len(mail.outbox) == 1 and ("URGENT" in subject or "СРОЧНО" in subject)


def test_the_duress_word_with_need_help_is_duress_too(journey, consultant):
    case, leg, who = journey["case"], journey["leg"], journey["who"]
    actions.set_duress_word(case, consultant.staff, consultant.keys(), "ромашка")
    leg.refresh_from_db()
    checkin = actions.check_in(
        leg, CheckInKind.HELP, channel=Channel.WEB, word="Ромашка", requester_keys=who.keys
    )
    assert said(checkin, consultant) == CheckInKind.DURESS
    assert Alert.objects.get().stage == Stage.CONSULTANTS


def test_a_short_grace_is_not_held_up_by_many_long_ones(journey, consultant, monkeypatch):
    """The watcher reads legs by deadline plus grace, so legs still in a long
    grace period never fill its batch ahead of one that is truly overdue."""
    from tropa.journeys import escalation

    monkeypatch.setattr(escalation, "BATCH", 3)
    case = journey["case"]
    for i in range(5):
        leg = actions.add_leg(
            case,
            consultant.staff,
            consultant.keys(),
            actions.LegText(f"long {i}"),
            checkin_every_hours=1,
            grace_minutes=600,
        )
        actions.start_leg(leg, consultant.staff)
    short = journey["leg"]
    short.grace_minutes = 1
    short.save(update_fields=["grace_minutes"])
    with clock.moved(timedelta(hours=6, minutes=2)):
        assert raise_missed_checkins() == 1
    assert Alert.objects.get().leg_id == short.pk
