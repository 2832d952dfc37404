"""The wiring registries: each plug-in once, in the order registered."""

from __future__ import annotations

import pytest

from tropa.cases import events, hooks, page
from tropa.core import watch
from tropa.core.registry import AlreadyRegistered, Named, Registry
from tropa.notify.notifiers import NOTIFIERS


def test_it_keeps_the_order_of_registration():
    jobs: Registry = Registry("jobs")
    first, second = (lambda: 1), (lambda: 2)
    jobs.register(first)
    jobs.register(second)
    assert list(jobs) == [first, second]


def test_registering_the_same_thing_twice_is_an_error():
    jobs: Registry = Registry("jobs")
    job = lambda: 1  # noqa: E731
    jobs.register(job)
    with pytest.raises(AlreadyRegistered):
        jobs.register(job)
    assert len(jobs) == 1


def test_a_name_is_taken_once():
    named: Named = Named("renderers")
    named.register("status", str)
    with pytest.raises(AlreadyRegistered):
        named.register("status", repr)
    assert named.get("status") is str


def test_every_app_has_wired_itself_once_at_start_up():
    # Given Django started (apps' ready() ran their wiring modules)
    assert {job.__name__ for job in watch.JOBS} >= {
        "shred_discarded",
        "notify_due_tasks",
        "raise_missed_checkins",
        "escalate_alerts",
        "forget_old_updates",
    }
    assert [job.__name__ for job in watch.DELIVERY_JOBS] == ["deliver_outbox"]
    assert [name for name, _notifier in NOTIFIERS.items()] == ["email", "telegram"]
    assert {"accepted", "assigned", "status", "merged", "telegram_undelivered"} <= {
        kind for kind, _render in events.RENDERERS.items()
    }
    assert len(page.SECTIONS) == 3  # journeys, applications, legal help
    assert len(hooks.OUTCOME_HINTS) == 1
    assert len(hooks.AFTER_REPLY) == len(hooks.AFTER_MERGE) == 1
