"""Every staff page at 390 px, JavaScript off, in Russian and English: no
sideways scrolling, with a screenshot of each for a human to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tropa.assistance import actions as assistance
from tropa.assistance import directory, referrals
from tropa.assistance.models import DocumentTemplate
from tropa.assistance.starter import ensure_starters
from tropa.cases import actions as case_actions
from tropa.cases import labels
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.journeys import actions
from tropa.testing import statistics
from tropa.testing.browser import screenshot, staff_sign_in
from tropa.testing.factories import new_case, new_request
from tropa.testing.people import NAMED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


MENU_LINES = """
[...document.querySelectorAll('nav.staff-nav > *')]
  .filter(e => e.getClientRects().length)
  .map(e => e.getBoundingClientRect().top)
  .sort((a, b) => a - b)
  .reduce((lines, top) => (lines.length && top - lines[lines.length - 1] < 12
    ? lines : [...lines, top]), []).length
"""


def assert_fits(page: Page, name: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    seen = page.evaluate("window.innerWidth")
    screenshot(page, f"phone-{name}")
    assert wide <= seen, f"{name}: {wide} px wide on a {seen} px screen"
    assert page.evaluate(MENU_LINES) <= 2, f"{name}: the staff menu takes more than two lines"


def starter_template() -> int:
    ensure_starters()
    return DocumentTemplate.objects.order_by("pk").values_list("pk", flat=True).first()


@pytest.fixture
def busy(make_person):
    """A team with a case that has a journey, labels, a duress warning, tasks."""
    coordinator = make_person(*NAMED["coordinator"])
    consultant = make_person(*NAMED["consultant"])
    admin = make_person(*NAMED["admin"])
    codename, case = new_case(coordinator, consultant)
    new_request()
    keys = consultant.keys()
    case_actions.reply(case, consultant.staff, keys, "Здравствуйте! " * 20)
    case_actions.add_task(case, consultant.staff, consultant.staff, keys, "Позвонить юристу", None)
    labels.add(case, labels.available(consultant.staff).first().pk, consultant.staff)
    actions.set_duress_word(case, consultant.staff, keys, "ромашка")
    leg = actions.add_leg(
        case, consultant.staff, keys, actions.LegText("Поезд"), checkin_every_hours=4
    )
    actions.start_leg(leg, consultant.staff)
    _requester, who = intake.find_requester(codename)  # type: ignore[misc]
    actions.check_in(leg, "safe", channel="web", word="ромашка", requester_keys=who.keys)
    application = assistance.open_application(case, consultant.staff, keys, "DE", "asylum", None)
    assistance.set_date(
        application, "appointment", (clock.now() + timedelta(days=3)).date(), consultant.staff, keys
    )
    point = directory.save_entry(
        None,
        "route_point",
        {
            "name": "Верхний Ларс",
            "point_type": "border",
            "status": "risky",
            "status_note": "очереди " * 30,
        },
        coordinator.staff,
        coordinator.keys(),
        clock.now().date(),
    )
    referral = referrals.refer(
        case, None, "psychologist", consultant.staff, keys, referrals.ReferralText(notes="заметка")
    )
    analyst = make_person(*NAMED["analyst"])
    statistics.fill_history(analyst)
    return {
        "analyst": analyst,
        "release": statistics.last_release_url(),
        "entry": f"/staff/directory/{point.pk}/",
        "referral": f"/staff/cases/{case.pk}/referrals/{referral.pk}/",
        "coordinator": coordinator,
        "consultant": consultant,
        "admin": admin,
        "case": case,
        "application": f"/staff/cases/{case.pk}/applications/{application.pk}/",
        "document": f"/staff/cases/{case.pk}/documents/{starter_template()}/",
    }


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_staff_page_fits_a_phone(page_js_off: Page, busy, language):
    page = page_js_off
    case = busy["case"]
    pages = {
        "coordinator": [
            "/staff/",
            "/staff/inbox/",
            "/staff/cases/",
            "/staff/cases/?status=waiting",
            f"/staff/cases/{case.pk}/",
            "/staff/journeys/",
            "/staff/search/",
            "/staff/labels/",
            "/staff/people/",
            "/staff/account/",
            "/staff/account/duress/",
            "/staff/applications/",
            "/staff/applications/checklists/",
            busy["application"],
            "/staff/legal/templates/",
            "/staff/legal/rules/",
            "/staff/directory/",
            busy["entry"],
            "/staff/referrals/",
            "/staff/statistics/",
            "/staff/roster/",
            "/staff/roster/handover/",
            "/staff/surge/",
        ],
        "consultant": [
            "/staff/",
            "/staff/cases/",
            f"/staff/cases/{case.pk}/",
            "/staff/journeys/",
            "/staff/applications/",
            busy["application"],
            f"/staff/cases/{case.pk}/applications/new/",
            busy["document"],
            busy["referral"],
            f"/staff/cases/{case.pk}/referrals/new/",
            f"/staff/cases/{case.pk}/plan/route-points/",
        ],
        "admin": ["/staff/", "/staff/audit/", "/staff/people/", "/staff/statistics/releases/"],
        "analyst": [
            "/staff/",
            "/staff/statistics/",
            "/staff/statistics/releases/",
            "/impact/",
            busy["release"],
        ],
    }
    for role, paths in pages.items():
        page.context.clear_cookies()
        staff_sign_in(page, busy[role], language)
        for path in paths:
            page.goto(path)
            name = f"{language}-{role}-" + (
                path.strip("/").replace("/", "-").replace("?", "-") or "home"
            )
            assert_fits(page, name[:80])
        if role == "coordinator":  # search results too
            page.goto("/staff/search/")
            page.locator("main form.search-form input[name=q]").fill("юристу")
            page.locator("main form.search-form button[type=submit]").click()
            expect(page.locator("main .search-results")).to_be_visible()
            assert_fits(page, f"{language}-coordinator-search-results")
