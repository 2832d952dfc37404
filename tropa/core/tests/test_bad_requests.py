"""Requests anyone can send that once answered 500, and a staff member's session
that the portal once ended. Each answers a clear 4xx (or works) now."""

from __future__ import annotations

import pytest
from django.test import Client

from tropa.accounts.models import Role
from tropa.core import clock
from tropa.journeys.models import Leg
from tropa.testing.factories import new_case, new_requester, signed_in_client

pytestmark = pytest.mark.django_db

PUBLIC_FORMS = [
    "/request/",
    "/portal/login/",
    "/portal/send/",
    "/portal/check-in/",
    "/staff/login/",
]


def multipart(charset: str) -> tuple[bytes, str]:
    body = b'--B\r\nContent-Disposition: form-data; name="situation"\r\n\r\nsummons\r\n--B--\r\n'
    return body, f"multipart/form-data; charset={charset}; boundary=B"


@pytest.mark.parametrize("charset", ["rot13", "zlib", "no-such-charset"])
@pytest.mark.parametrize("path", PUBLIC_FORMS)
def test_a_body_in_an_unknown_or_binary_charset_is_refused_not_a_500(org, path, charset):
    body, content_type = multipart(charset)
    client = Client(raise_request_exception=False)
    response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == 400
    assert "<h1>" in response.content.decode()  # the kind page, in the person's language


def test_staff_forms_refuse_such_a_body_too(coordinator, signed_in):
    _codename, case = new_case(coordinator)
    client = signed_in(coordinator)
    client.raise_request_exception = False
    body, content_type = multipart("rot13")
    response = client.generic(
        "POST", f"/staff/cases/{case.pk}/reply/", body, content_type=content_type
    )
    assert response.status_code == 400


def test_a_known_text_charset_still_works(org):
    client = Client()
    client.get("/request/")
    response = client.post(
        "/request/",
        "situation=summons",
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code in (200, 302, 403)  # 403: no CSRF cookie sent by hand


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1900-01-01T00:00"])
def test_a_leg_far_from_today_is_refused_and_the_case_page_still_opens(
    coordinator, consultant, signed_in, when
):
    _codename, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    response = client.post(
        f"/staff/cases/{case.pk}/plan/legs/",
        {"title": "Leg", "risk": "medium", "planned_start": when, "grace_minutes": "30"},
    )
    assert response.status_code == 400
    assert "within a year before or five years after today" in response.content.decode()
    assert not Leg.objects.exists()
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 200


def test_a_leg_this_month_is_taken(coordinator, consultant, signed_in):
    _codename, case = new_case(coordinator, consultant)
    soon = clock.now().strftime("%Y-%m-%dT%H:%M")
    response = signed_in(consultant).post(
        f"/staff/cases/{case.pk}/plan/legs/",
        {"title": "Leg", "risk": "medium", "planned_start": soon, "grace_minutes": "30"},
    )
    assert response.status_code == 302
    assert Leg.objects.count() == 1


def test_a_task_due_in_a_far_year_is_refused(coordinator, consultant, signed_in):
    _codename, case = new_case(coordinator, consultant)
    response = signed_in(coordinator).post(
        f"/staff/cases/{case.pk}/tasks/",
        {"title": "Call", "owner": str(consultant.staff.pk), "due": "31.12.9999"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["a\x00b", "\x00", "x" * 5000])
def test_the_audit_filter_takes_any_name(admin, signed_in, name):
    assert signed_in(admin).get("/staff/audit/", {"staff": name}).status_code == 200


def test_a_staff_member_opening_the_portal_stays_signed_in(consultant, signed_in):
    client = signed_in(consultant)
    assert client.get("/portal/").status_code == 302  # no requester here: to its sign-in
    assert client.get("/staff/cases/").status_code == 200  # still signed in as staff


def test_a_staff_member_who_also_uses_the_portal_keeps_both(consultant, signed_in, org):
    codename, _case = new_requester()
    client = signed_in(consultant)
    signed_in_client(codename, client)
    client.post("/portal/logout/")
    assert client.get("/staff/cases/").status_code == 200


def test_an_outsider_role_still_gets_no_staff_page(analyst, signed_in):
    assert analyst.staff.role == Role.ANALYST
    assert signed_in(analyst).get("/staff/cases/").status_code == 404
