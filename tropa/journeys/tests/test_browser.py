"""A journey in a real browser, JavaScript off: plan, check-ins, duress, a failed leg.

A consultant, in their own browser, builds a two-leg plan on the case page,
sets a duress word and starts the first leg; the requester signs in to the
portal with the codename and checks in "I am safe", then again with the
duress word, and sees exactly the same page; the coordinators are alerted.
The consultant marks the first leg failed and its backup plan comes up at
the top of the case page, and as tasks. Screenshots: /tmp/tropa-shots/journeys-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tropa.cases import actions as case_actions
from tropa.cases import triage as case_triage
from tropa.cases.models import Task
from tropa.conftest import Person
from tropa.core import clock
from tropa.journeys.models import Alert, AlertKind, Leg, LegStatus
from tropa.keyring.actions import create_org_keys
from tropa.testing.browser import PHONE, screenshot, staff_sign_in
from tropa.testing.factories import checkins_said, new_requester
from tropa.testing.people import NAMED

pytestmark = pytest.mark.browser

# The requester's portal speaks Russian by default.
THANKS = "Спасибо. Ваша отметка записана."
BACKUP = ["Call the lawyer on the emergency line", "Go to the shelter in Tbilisi"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def org(transactional_db):
    """An initialised organisation, committed so the live server sees it."""
    recovery, _intake = create_org_keys()
    return recovery


@pytest.fixture
def olga(make_person) -> Person:
    return make_person(*NAMED["coordinator"])


@pytest.fixture
def ivan(make_person) -> Person:
    return make_person(*NAMED["consultant"])


@pytest.fixture
def frozen(monkeypatch):
    """Tropa's clock stands still (the live server's thread shares it), so two
    check-ins a moment apart set the same deadline."""
    fixed = clock.now().replace(second=5, microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: fixed + clock._offset)
    return fixed


@pytest.fixture
def staff_page(browser: Browser, live_server) -> Iterator[Page]:
    """A browser of the consultant's own: a fresh context, JavaScript off."""
    context = browser.new_context(
        java_script_enabled=False,
        locale="en-US",
        timezone_id="UTC",
        viewport=PHONE,
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    own_origin = urlsplit(live_server.url).netloc
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if urlsplit(route.request.url).netloc == own_origin else route.abort()
        ),
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def case(olga, ivan, frozen):
    """An accepted English request assigned to Ivan; returns (codename, case)."""
    codename, case = new_requester("en")
    keys = olga.keys()
    case_triage.accept(case, olga.staff, keys)
    case_actions.assign(case, ivan.staff, olga.staff, keys)
    return codename, case


def add_leg(page: Page, title: str, risk: str, every_hours: int, backup: str) -> None:
    details = page.locator("details#journey-add-leg")
    details.locator("summary").click()
    form = details.locator("form")
    form.locator("[name=title]").fill(title)
    form.locator("select[name=risk]").select_option(risk)
    form.locator("[name=checkin_every_hours]").fill(str(every_hours))
    form.locator("[name=backup_plan]").fill(backup)
    form.locator("button[type=submit]").click()
    expect(page.locator("main ul.messages li.msg.error")).to_have_count(0)


def leg_row(page: Page, title: str):
    return page.locator("#journey ol.legs li.leg").filter(has_text=title)


def portal_sign_in(page: Page, codename: str) -> None:
    page.goto("/portal/login/")
    form = page.locator("main form")
    form.locator("input[name=codename]").fill(codename)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/(#[a-z-]+)?$"))


def check_in(page: Page, button: str, word: str = "") -> str:
    """Check in from the portal's box; returns the page it lands on, CSRF token blanked."""
    box = page.locator("main section#check-in")
    box.locator("textarea[name=note]").fill(word)
    box.locator(f"button[name=kind][value={button}]").click()
    expect(page).to_have_url(re.compile(r"/portal/(#[a-z-]+)?$"))
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', page.content())


def test_a_requester_checks_in_under_duress_and_a_failed_leg_brings_up_its_backup_plan(
    page_js_off: Page, staff_page: Page, case, ivan
):
    page = page_js_off
    codename, case = case
    first, second = "Train to Vladikavkaz", "Crossing at Verkhny Lars"

    # Given a consultant who builds a two-leg plan on the case page
    staff_sign_in(staff_page, ivan)
    staff_page.goto(f"/staff/cases/{case.pk}/")
    add_leg(staff_page, first, "high", 6, "\n".join(BACKUP))
    add_leg(staff_page, second, "critical", 2, "Turn back to Vladikavkaz")
    expect(staff_page.locator("#journey ol.legs li.leg")).to_have_count(2)

    # And sets a duress word agreed with the requester, and starts the first leg
    duress = staff_page.locator("#journey form[action$='/plan/duress/']")
    staff_page.locator("#journey details:has(form[action$='/plan/duress/']) summary").click()
    duress.locator("[name=word]").fill("Ромашка")
    duress.locator("button[type=submit]").click()
    expect(staff_page.locator("#journey")).to_contain_text("A duress word is set.")
    leg_row(staff_page, first).locator("form[action$='/start/'] button").click()
    expect(leg_row(staff_page, first).locator(".leg-status")).to_have_text("Active")
    screenshot(staff_page, "journeys-case-plan")
    leg = Leg.objects.get(plan__case=case, position=1)
    assert leg.status == LegStatus.ACTIVE and leg.checkin_every_hours == 6

    # When the requester signs in to the portal, the check-in box is at the top
    portal_sign_in(page, codename)
    box = page.locator("main section#check-in")
    expect(box).to_be_visible()
    expect(box.locator("p.due")).to_contain_text("Отметьтесь до")
    expect(box.locator("p.due")).to_contain_text("мск")  # never a Latin "MSK" here
    expect(box.locator("label[for=id_checkin_note]")).to_contain_text("Хотите что-то добавить?")
    expect(box.locator("textarea[name=note]")).to_have_value("")
    screenshot(page, "journeys-portal-checkin")

    # When they check in "I am safe"
    after_safe = check_in(page, "safe")

    # Then they are thanked, and the consultants get a check-in to review
    expect(page.locator("main ul.messages li.msg")).to_have_text([THANKS])
    assert Alert.objects.get().kind == AlertKind.CHECKIN
    screenshot(page, "journeys-portal-checked-in")

    # When they check in with the duress word, typed loosely
    after_duress = check_in(page, "safe", "  Всё хорошо, РОМАШКА! ")

    # Then their page is exactly the page a safe check-in shows, word nowhere on it
    assert after_duress == after_safe
    assert "ромашка" not in after_duress.lower()
    expect(page.locator("main ul.messages li.msg")).to_have_text([THANKS])
    expect(page.locator("main section#check-in textarea[name=note]")).to_have_value("")

    # And the consultant's case page shows the duress at the top of its alerts
    assert checkins_said(ivan) == ["safe", "duress"]
    staff_page.goto(f"/staff/cases/{case.pk}/")
    alerts = staff_page.locator("main section#alerts li.alert")
    expect(alerts).to_have_count(2)
    expect(alerts.first).to_have_class(re.compile(r"alert-duress"))
    expect(alerts.first.locator(".duress-flag")).to_be_visible()

    # The duress warning stays in the case header after its alert is acknowledged
    staff_page.goto(f"/staff/cases/{case.pk}/")
    for _ in range(2):
        staff_page.locator("main section#alerts li.alert form button").first.click()
    expect(staff_page.locator("main section#alerts")).to_have_count(0)
    marks = staff_page.locator("main section#duress-marks")
    expect(marks).to_contain_text("Duress signal on")
    expect(marks).to_contain_text("acknowledged by ivan")
    screenshot(staff_page, "journeys-duress-mark")

    # When the consultant marks the first leg failed, and confirms it on a second form
    leg_row(staff_page, first).locator("a[href$='/fail/']").click()
    staff_page.locator("main form button.danger").click()
    expect(staff_page.locator("main .errors, main .error").first).to_be_visible()
    staff_page.locator("main input[name=confirm]").check()
    staff_page.locator("main form button.danger").click()

    # Then its backup plan is at the top of the case page, and its steps are tasks
    backup = staff_page.locator("main section#journey-backup")
    expect(backup).to_be_visible()
    for step in BACKUP:
        expect(backup).to_contain_text(step)
    main_html = staff_page.locator("main").inner_html()
    assert main_html.index('id="journey-backup"') < main_html.index('class="case-layout"')
    expect(staff_page.locator("#tasks ul.tasks li.task span.title")).to_have_text(BACKUP)
    assert Leg.objects.get(pk=leg.pk).status == LegStatus.FAILED
    assert Task.objects.filter(case=case).count() == len(BACKUP)
    screenshot(staff_page, "journeys-case-backup-plan")

    # And the requester's box is gone: no leg is under way
    page.goto("/portal/")
    expect(page.locator("main section#check-in")).to_have_count(0)
