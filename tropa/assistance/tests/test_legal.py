"""Legal help: templates checked on upload, documents rendered in memory with
names in their grammatical cases, legal deadlines counted across weekends,
holidays and month ends, and who may do any of it."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import docx
import pytest

from tropa.accounts.models import Profession, Role
from tropa.assistance import deadlines, legal, placeholders
from tropa.assistance.models import (
    DeadlineRule,
    DocumentTemplate,
    LegalDeadline,
    PeriodUnit,
    TemplateVersion,
)
from tropa.assistance.starter import ensure_starters, starter_docx
from tropa.audit.models import Action
from tropa.audit.models import Entry as AuditEntry
from tropa.cases import actions as case_actions
from tropa.cases.models import Attachment, Task
from tropa.core import clock
from tropa.testing.factories import new_case, page_text

pytestmark = pytest.mark.django_db


def text_of(document: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(document)).paragraphs)


def test_names_go_into_their_grammatical_cases_and_dates_into_words():
    filled = placeholders.Filled(
        {
            "last_name": "Иванов",
            "first_name": "Пётр",
            "middle_name": "Сергеевич",
            "decision_date": date(2026, 12, 3),
        }
    )
    values = placeholders.context(filled, date(2027, 1, 1))
    assert values["full_name_gen"] == "Иванова Петра Сергеевича"
    assert values["full_name_dat"] == "Иванову Петру Сергеевичу"
    assert values["full_name_ins"] == "Ивановым Петром Сергеевичем"
    assert values["initials"] == "П. С. Иванов"
    assert values["decision_date"] == "«3» декабря 2026 г."
    assert values["decision_date_words"] == "третье декабря две тысячи двадцать шестого года"
    she = placeholders.context(
        placeholders.Filled(
            {"last_name": "Петрова", "first_name": "Анна", "middle_name": "Ивановна"}
        ),
        date(2027, 1, 1),
    )
    assert she["full_name_gen"] == "Петровой Анны Ивановны"


def test_a_rendered_document_says_what_was_filled_in_and_escapes_it():
    body = starter_docx(["Жалоба от {{ full_name_gen }}", "Подпись: {{ signature }}"])
    out = placeholders.render(
        body,
        placeholders.context(
            placeholders.Filled(
                {"last_name": "Сидоров", "first_name": "Олег", "signature": "<b>&</b>"}
            ),
            date(2027, 1, 1),
        ),
    )
    text = text_of(out)
    assert "Жалоба от Сидорова Олега" in text
    assert "Подпись: <b>&</b>" in text  # as text, not markup
    xml = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in xml and "<b>" not in xml  # escaped, not markup


@pytest.mark.parametrize(
    ("paragraph", "message"),
    [
        ("{{ full_name_gen }", "malformed"),
        ("{% if %}", "malformed"),
        ("{{ passport_series }}", "Unknown placeholders: passport_series"),
    ],
)
def test_a_bad_placeholder_is_refused_on_upload(paragraph, message):
    with pytest.raises(placeholders.BadTemplate, match=message):
        placeholders.check(starter_docx([paragraph]))


def test_a_file_that_is_not_a_docx_is_refused():
    with pytest.raises(placeholders.BadTemplate, match="not a .docx"):
        placeholders.check(b"%PDF-1.4 not a word file")


def test_the_starters_are_examples_that_pass_their_own_check():
    ensure_starters()
    ensure_starters()  # once only
    assert DocumentTemplate.objects.count() == 5
    for version in TemplateVersion.objects.all():
        assert version.example and version.fields == placeholders.check(bytes(version.docx))
        assert "ОБРАЗЕЦ" in text_of(bytes(version.docx))


def test_uploads_make_versions_and_only_coordinators_and_lawyers_upload(
    coordinator, consultant, signed_in
):
    ensure_starters()
    template = DocumentTemplate.objects.order_by("pk").first()
    client = signed_in(consultant)
    upload = io.BytesIO(starter_docx(["Новая версия {{ full_name }}"]))
    upload.name = "v2.docx"
    assert (
        client.post(
            "/staff/legal/templates/", {"template": template.pk, "docx": upload}
        ).status_code
        == 404
    )
    consultant.staff.profession = Profession.LAWYER
    consultant.staff.save()
    upload.seek(0)
    response = client.post("/staff/legal/templates/", {"template": template.pk, "docx": upload})
    assert response.status_code == 302
    assert list(template.versions.order_by("number").values_list("number", "example")) == [
        (1, True),
        (2, False),
    ]
    assert AuditEntry.objects.filter(action=Action.TEMPLATE_UPLOADED).count() == 1
    # A malformed one is refused with a clear message, and no version is made
    bad = io.BytesIO(starter_docx(["{{ full_name "]))
    bad.name = "bad.docx"
    page = page_text(
        signed_in(coordinator).post("/staff/legal/templates/", {"title": "Новый", "docx": bad})
    )
    assert "A placeholder is malformed" in page
    assert not DocumentTemplate.objects.filter(title="Новый").exists()


def test_a_document_is_produced_in_memory_and_kept_sealed_if_asked(
    coordinator, consultant, signed_in
):
    ensure_starters()
    template = DocumentTemplate.objects.get(title__startswith="Жалоба")
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    url = f"/staff/cases/{case.pk}/documents/{template.pk}/"
    fields = {
        "last_name": "Кузнецов",
        "first_name": "Илья",
        "middle_name": "Андреевич",
        "decision_date": "01.12.2026",
        "commissariat": "Призывная комиссия",
        "address": "г. Казань",
        "birth_date": "02.03.2000",
        "signature": "Представитель",
    }
    preview = page_text(client.post(url, {**fields, "action": "preview"}))
    assert "Кузнецова Ильи Андреевича" in preview
    response = client.post(url, {**fields, "action": "produce", "keep": "on"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = text_of(response.content)
    assert "отношении меня, Кузнецова Ильи Андреевича" in text
    assert "первое декабря две тысячи двадцать шестого года" in text
    assert Attachment.objects.filter(case=case).count() == 1  # the sealed copy
    timeline = page_text(client.get(f"/staff/cases/{case.pk}/"))
    assert f"Document produced from the template “{template.title}”, version 1." in timeline
    assert AuditEntry.objects.filter(action=Action.DOCUMENT_PRODUCED, case_id=case.pk).count() == 1


def test_a_bad_date_in_a_document_is_said_and_kept(coordinator, consultant, signed_in):
    ensure_starters()
    template = DocumentTemplate.objects.get(title__startswith="Жалоба")
    _code, case = new_case(coordinator, consultant)
    response = signed_in(consultant).post(
        f"/staff/cases/{case.pk}/documents/{template.pk}/",
        {"last_name": "Кузнецов", "decision_date": "32.13.2026", "action": "produce"},
    )
    page = page_text(response)
    assert response.status_code == 400 and "Write the date as day.month.year" in page
    assert 'value="32.13.2026"' in page and 'value="Кузнецов"' in page


def test_the_outsider_is_denied(coordinator, consultant, outsider, signed_in):
    ensure_starters()
    template = DocumentTemplate.objects.first()
    _code, case = new_case(coordinator, consultant)
    client = signed_in(outsider)
    assert client.get(f"/staff/cases/{case.pk}/documents/{template.pk}/").status_code == 404
    rule = DeadlineRule.objects.first()
    response = client.post(
        f"/staff/cases/{case.pk}/deadlines/", {"rule": rule.pk, "event_on": "01.12.2026"}
    )
    assert response.status_code == 404
    assert client.get("/staff/legal/rules/").status_code == 404


# Deadline arithmetic


def test_a_period_in_days_ending_on_a_weekend_moves_to_monday():
    # 2027-03-10 is a Wednesday; +10 days is Saturday 20 March
    assert deadlines.due(date(2027, 3, 10), 10, PeriodUnit.DAYS, True) == date(2027, 3, 22)
    assert deadlines.due(date(2027, 3, 10), 10, PeriodUnit.DAYS, False) == date(2027, 3, 20)


def test_a_period_ending_in_the_new_year_holidays_moves_past_them():
    # 10 days after 25 December 2026 is 4 January 2027, inside the holidays
    moved = deadlines.due(date(2026, 12, 25), 10, PeriodUnit.DAYS, True)
    assert moved > date(2027, 1, 8) and deadlines.is_working_day(moved)


def test_months_end_on_the_same_day_or_the_months_last():
    assert deadlines.due(date(2027, 1, 31), 1, PeriodUnit.MONTHS, False) == date(2027, 2, 28)
    assert deadlines.due(date(2028, 1, 31), 1, PeriodUnit.MONTHS, False) == date(2028, 2, 29)
    assert deadlines.due(date(2027, 11, 30), 3, PeriodUnit.MONTHS, False) == date(2028, 2, 29)
    assert deadlines.due(date(2027, 5, 15), 3, PeriodUnit.MONTHS, False) == date(2027, 8, 15)


def test_working_days_skip_weekends_and_holidays():
    # Friday 7 May 2027: the next five working days skip the weekend and 10 May
    due = deadlines.due(date(2027, 5, 7), 5, PeriodUnit.WORKING_DAYS, True)
    assert due == date(2027, 5, 17)
    assert not deadlines.is_working_day(date(2027, 5, 9))  # Victory Day, a Sunday


def test_a_legal_event_makes_a_task_and_the_home_shows_it_first(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    rule = DeadlineRule.objects.get(builtin="appeal_offence")
    client = signed_in(consultant)
    today = clock.now().date()
    response = client.post(
        f"/staff/cases/{case.pk}/deadlines/",
        {"rule": rule.pk, "event_on": (today - timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 302
    deadline = LegalDeadline.objects.get(case=case)
    assert deadline.due_on >= today - timedelta(days=9) + timedelta(days=10)
    assert Task.objects.filter(pk=deadline.task_id, owner=consultant.staff).exists()
    home = page_text(client.get("/staff/"))
    first = re.search(r'id="home-([a-z-]+)"', home)
    assert first and first.group(1) == "deadlines"
    # An event in the future is refused with a clear message
    response = client.post(
        f"/staff/cases/{case.pk}/deadlines/",
        {"rule": rule.pk, "event_on": (today + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 400 and "cannot be in the future" in page_text(response)
    # Removed: its task goes too
    client.post(f"/staff/cases/{case.pk}/deadlines/{deadline.pk}/remove/")
    assert not Task.objects.filter(case=case).exists()


def test_coordinators_edit_rules_and_staff_get_a_profession(coordinator, consultant, signed_in):
    rule = DeadlineRule.objects.get(builtin="appeal_court_ruling")
    client = signed_in(coordinator)
    prefix = str(rule.pk)
    response = client.post(
        "/staff/legal/rules/",
        {
            "rule": prefix,
            f"{prefix}-name": rule.name,
            f"{prefix}-event": rule.event,
            f"{prefix}-period": "0",
            f"{prefix}-unit": rule.unit,
            f"{prefix}-article": rule.article,
            f"{prefix}-active": "on",
        },
    )
    assert response.status_code == 400 and "between 1 and 366" in page_text(response)
    response = client.post(
        f"/staff/people/{consultant.staff.pk}/profession/", {"profession": "lawyer"}
    )
    assert response.status_code == 302
    consultant.staff.refresh_from_db()
    assert consultant.staff.profession == Profession.LAWYER
    assert consultant.staff.role == Role.CONSULTANT


def test_the_name_comes_from_the_request_only_when_asked_and_audited(
    coordinator, consultant, signed_in
):
    ensure_starters()
    template = DocumentTemplate.objects.get(title__startswith="Жалоба")
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    url = f"/staff/cases/{case.pk}/documents/{template.pk}/"
    page = page_text(client.get(url))
    assert "Fill in the name from the request" in page
    before = AuditEntry.objects.filter(action=Action.DETAILS_REVEALED).count()
    page = page_text(client.post(url, {"action": "name", "address": "Казань"}))
    assert AuditEntry.objects.filter(action=Action.DETAILS_REVEALED).count() == before + 1
    assert 'value="Казань"' in page  # what was typed stays


def test_an_overdue_legal_deadline_comes_first_in_the_case_list(coordinator, consultant, signed_in):
    _c1, calm = new_case(coordinator, consultant)
    _c2, urgent = new_case(coordinator, consultant)
    rule = DeadlineRule.objects.get(builtin="appeal_arrest")
    legal.record_deadline(
        urgent, rule, clock.now().date() - timedelta(days=20), consultant.staff, consultant.keys()
    )
    case_actions.note(calm, consultant.staff, consultant.keys(), "newest activity")
    page = page_text(signed_in(consultant).get("/staff/cases/"))
    assert page.index(urgent.alias) < page.index(calm.alias)
    assert "legal deadline passed" in page
