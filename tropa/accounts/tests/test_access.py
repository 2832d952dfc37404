"""Deny by default: every view needs a signed-in, two-factor staff member unless public."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tropa.conftest import english_client
from tropa.core.access import is_public

pytestmark = pytest.mark.django_db

PUBLIC = {
    "core:home",
    "core:self_help",  # the self-help words: public text, nothing about anyone
    "core:language",
    "accounts:login",
    "accounts:logout",
    # Requester pages: open to anyone; the portal ones check the held codename.
    "intake:request",
    "intake:codename",
    "intake:sign_in",
    "intake:portal",
    "intake:send",
    "intake:check_in",
    "intake:download",
    "intake:delete",
    "intake:sign_out",
    # Telegram's webhook: checks the secret token Telegram sends back.
    "channels:hook",
    # Published statistics: read only stored, signed releases.
    "reports:impact",
    "reports:release",
    "reports:download",
    "reports:chart",
}


def all_views():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{p.namespace}:" if p.namespace else prefix
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                yield f"{prefix}{p.name}", p.callback

    return list(walk(get_resolver().url_patterns))


def test_it_marks_only_the_intended_views_public():
    public = {name for name, view in all_views() if is_public(view)}
    assert public == PUBLIC


@pytest.mark.parametrize(
    "path",
    [
        "/staff/",
        "/staff/account/",
        "/staff/password/",
        "/staff/people/",
        "/staff/people/new/",
        "/staff/recovery-codes/",
        "/staff/two-factor/",
    ],
)
def test_it_sends_anonymous_visitors_to_sign_in(path, org):
    response = english_client().get(path)
    assert response.status_code == 302
    assert response.url.startswith("/staff/login/?next=")


def test_it_hides_staff_admin_from_consultants_and_analysts(consultant, analyst, signed_in):
    for person in (consultant, analyst):
        client = signed_in(person)
        assert client.get("/staff/people/").status_code == 404
        assert client.get("/staff/people/new/").status_code == 404
        assert client.get(f"/staff/people/{person.staff.pk}/").status_code == 404
        response = client.post(f"/staff/people/{person.staff.pk}/disable/")
        assert response.status_code == 404


def test_it_lets_coordinators_see_staff_but_not_administer_them(coordinator, consultant, signed_in):
    client = signed_in(coordinator)
    assert client.get("/staff/people/").status_code == 200
    assert client.get("/staff/people/new/").status_code == 404
    response = client.post(f"/staff/people/{consultant.staff.pk}/disable/")
    assert response.status_code == 404
    consultant.staff.refresh_from_db()
    assert consultant.staff.is_active


def test_it_answers_404_for_an_unknown_person(admin, signed_in):
    client = signed_in(admin)
    response = client.get("/staff/people/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_it_refuses_get_on_actions(admin, consultant, signed_in):
    client = signed_in(admin)
    assert client.get(f"/staff/people/{consultant.staff.pk}/disable/").status_code == 405


def test_it_requires_csrf_tokens_on_posts(consultant):
    client = english_client(enforce_csrf_checks=True)
    response = client.post(
        "/staff/login/", {"username": consultant.username, "password": consultant.password}
    )
    assert response.status_code == 403
    assert "The form expired" in response.content.decode()
