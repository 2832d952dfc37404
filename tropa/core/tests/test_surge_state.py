"""Each process keeps what it read of surge mode for a few seconds (the start
page must not open a database connection per visit); a switch made in the
process itself is seen at once."""

from __future__ import annotations

import pytest

from tropa.cases import surge as switching
from tropa.core import surge
from tropa.core.models import Surge

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.TROPA_SURGE_CACHE_SECONDS = 3600
    surge.forget()
    yield
    surge.forget()


def test_a_switch_elsewhere_arrives_after_the_cache_and_here_at_once(cached, coordinator):
    assert not surge.current().on
    Surge.objects.update_or_create(pk=1, defaults={"on": True})  # another process
    assert not surge.current().on  # not yet: kept for TROPA_SURGE_CACHE_SECONDS
    surge.forget()
    assert surge.current().on
    switching.switch(coordinator.staff, on=False)
    assert not surge.current().on  # this process switched: at once


def test_reading_it_again_costs_no_query(cached, django_assert_num_queries):
    surge.current()
    with django_assert_num_queries(0):
        surge.current()
