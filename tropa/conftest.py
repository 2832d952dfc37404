"""Shared fixtures: an initialised organisation and named people.

Everyone signs in through the real sign-in view, so every test that uses a
signed-in client also exercises the password, two-factor and key unwrapping.
The people themselves are defined once, in tropa/testing/people.py.
"""

from __future__ import annotations

import pytest

from tropa import vault
from tropa.keyring.actions import create_org_keys
from tropa.testing.people import (
    NAMED,
    PASSWORD,
    Person,
    english_client,
    russian_client,
    sign_in,
)
from tropa.testing.people import (
    make_person as _make_person,
)

__all__ = ["PASSWORD", "Person", "english_client", "russian_client", "sign_in"]


@pytest.fixture
def org(db) -> vault.KeyPair:
    """An initialised organisation; returns its recovery key pair."""
    recovery, _intake = create_org_keys()
    return recovery


@pytest.fixture
def make_person(org):
    def make(username, role, *, enrolled: bool = True) -> Person:
        return _make_person(org, username, role, enrolled=enrolled)

    return make


@pytest.fixture
def admin(make_person) -> Person:
    return make_person(*NAMED["admin"])


@pytest.fixture
def coordinator(make_person) -> Person:
    return make_person(*NAMED["coordinator"])


@pytest.fixture
def consultant(make_person) -> Person:
    return make_person(*NAMED["consultant"])


@pytest.fixture
def analyst(make_person) -> Person:
    return make_person(*NAMED["analyst"])


@pytest.fixture
def outsider(make_person) -> Person:
    """A consultant who has been granted nothing and must be denied everything."""
    return make_person(*NAMED["outsider"])


@pytest.fixture
def signed_in():
    """signed_in(person) -> a Client signed in as that person."""
    return lambda person, client=None: sign_in(client or english_client(), person)
