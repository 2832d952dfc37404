"""No time a requester caused is stored more precisely than the feature needs.

Requests are kept to the hour, messages and check-ins to the minute (see
docs/security.md). The scenario runs every requester action through the real
pages, at a moment with seconds and microseconds, then walks every date-time
field of every model: each value must be whole minutes, unless the field is
declared staff-side below (times of staff actions and of the system's own
scheduling, which tell nothing of when a person acted). A new date-time field
must be one or the other: this test fails on a finer value in any other.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models

from tropa.cases import actions
from tropa.cases import triage as case_triage
from tropa.cases.models import Case
from tropa.core import clock
from tropa.journeys import actions as journey_actions
from tropa.testing.factories import keep, submit
from tropa.testing.people import english_client

pytestmark = pytest.mark.django_db

# Times of staff actions and of the system's own schedule: exact is allowed.
STAFF_SIDE = {
    "accounts.Staff": {"created_at", "keys_created_at", "last_login"},
    "accounts.LoginThrottle": {"locked_until", "last_failure_at"},
    "cases.Case": {"triaged_at", "closed_at", "discarded_at"},
    "cases.Assignment": {"assigned_at"},
    "cases.Task": {"due_at", "created_at", "done_at", "due_notified_at"},
    "cases.ReplyTemplate": {"updated_at"},
    "journeys.Plan": {"updated_at"},
    "journeys.Leg": {"planned_start", "planned_end", "failed_at"},
    "journeys.Alert": {"acknowledged_at"},
    "notify.Outbox": {"next_attempt_at", "claimed_until", "delivered_at"},
    "channels.Outgoing": {"next_attempt_at", "claimed_until", "delivered_at", "failed_at"},
    "channels.StaffLink": {"code_expires_at", "linked_at"},
    "core.Heartbeat": {"beat_at"},
    "keyring.OrgKeys": {"created_at"},
}
STAFF_SIDE_APPS = {"otp_totp", "otp_static"}  # staff two-factor devices


def fields_to_check():
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in STAFF_SIDE_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.DateTimeField) and field.name not in STAFF_SIDE.get(
                label, set()
            ):
                yield model, field


@pytest.fixture
def odd_moment():
    """The clock at 37.123456 seconds past some minute."""
    now = clock.now()
    offset = timedelta(seconds=(37 - now.second) % 60, microseconds=123_456 - now.microsecond)
    with clock.moved(offset):
        yield


def test_every_time_a_requester_causes_is_coarse(coordinator, consultant, odd_moment):
    # A request through the web form, its codename kept, a message from the portal
    client = english_client()
    submit(client, story="story")
    keep(client)
    case = Case.objects.get()
    assert case.status == "new"
    requester = client
    requester.post("/portal/send/", {"text": "hello from the portal"})
    # Staff take it up and start a journey with a duress word (staff-side)
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    actions.assign(case, consultant.staff, coordinator.staff, keys)
    journey_actions.set_duress_word(case, consultant.staff, consultant.keys(), "клён")
    leg = journey_actions.add_leg(
        case,
        consultant.staff,
        consultant.keys(),
        journey_actions.LegText("Leg"),
        risk="low",
        checkin_every_hours=6,
    )
    journey_actions.start_leg(leg, consultant.staff)
    # The requester checks in, safe, and then under duress
    requester.post("/portal/check-in/", {"kind": "safe", "note": ""})
    requester.post("/portal/check-in/", {"kind": "safe", "note": "клён"})
    # Another person asks, and deletes everything
    other = english_client()
    submit(other, story="other")
    keep(other)
    other.post("/portal/delete/", {"confirm": "on"})

    from tropa.cases.models import Message
    from tropa.journeys.models import Alert, CheckIn

    assert CheckIn.objects.count() == 2 and Alert.objects.count() == 2  # the scenario ran
    assert Message.objects.filter(case=case).count() >= 2
    assert Case.objects.filter(status="deleted").count() == 1

    fine = []
    checked = 0
    for model, field in fields_to_check():
        for value in model.objects.values_list(field.name, flat=True):
            if value is None:
                continue
            checked += 1
            if value.second or value.microsecond:
                fine.append(f"{model._meta.label}.{field.name} = {value.isoformat()}")
    assert checked > 20, "the walk found the stored times"
    assert fine == []
