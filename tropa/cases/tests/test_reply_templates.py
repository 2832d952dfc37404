"""Reply templates: coordinators manage them; consultants only use them."""

from __future__ import annotations

import pytest

from tropa.cases.models import ReplyTemplate
from tropa.conftest import russian_client
from tropa.testing.factories import case_url, new_case, page_text


@pytest.fixture
def template(db) -> ReplyTemplate:
    return ReplyTemplate.objects.create(language="en", title="Welcome", body="We read you.")


def test_a_coordinator_adds_a_template(signed_in, coordinator):
    olga = signed_in(coordinator)
    response = olga.post(
        "/staff/templates/",
        {"language": "ru", "title": "Первый ответ", "body": "Здравствуйте! Мы на связи."},
    )
    assert response.status_code == 302
    assert response.url == "/staff/templates/"
    saved = ReplyTemplate.objects.get()
    assert (saved.language, saved.title) == ("ru", "Первый ответ")
    assert "Первый ответ" in page_text(olga.get("/staff/templates/"))


def test_a_template_without_a_title_is_refused_and_the_text_kept(signed_in, coordinator):
    response = signed_in(coordinator).post(
        "/staff/templates/", {"language": "en", "title": "", "body": "Kept-body-B1"}
    )
    assert response.status_code == 400
    assert "Kept-body-B1" in page_text(response)
    assert not ReplyTemplate.objects.exists()


def test_a_coordinator_edits_and_deletes_a_template(signed_in, coordinator, template):
    olga = signed_in(coordinator)
    url = f"/staff/templates/{template.pk}/"
    assert "We read you." in page_text(olga.get(url))
    response = olga.post(url, {"language": "en", "title": "Welcome", "body": "Changed."})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Changed."
    assert olga.post(url, {"delete": "1"}).status_code == 302
    assert not ReplyTemplate.objects.exists()


def test_consultants_cannot_manage_templates(signed_in, consultant, template):
    ivan = signed_in(consultant)
    assert ivan.get("/staff/templates/").status_code == 404
    assert ivan.get(f"/staff/templates/{template.pk}/").status_code == 404
    response = ivan.post("/staff/templates/", {"language": "en", "title": "x", "body": "y"})
    assert response.status_code == 404
    assert ivan.post(f"/staff/templates/{template.pk}/", {"delete": "1"}).status_code == 404
    assert ReplyTemplate.objects.count() == 1


def test_an_unknown_template_is_not_found(signed_in, coordinator):
    assert signed_in(coordinator).get("/staff/templates/999/").status_code == 404


def test_the_reply_form_offers_templates_in_the_viewers_language(
    signed_in, coordinator, consultant, template
):
    ReplyTemplate.objects.create(language="ru", title="Приветствие", body="Мы вас читаем.")
    _codename, case = new_case(coordinator, consultant)
    english = page_text(signed_in(consultant).get(case_url(case)))
    assert "Welcome" in english and "Приветствие" not in english
    russian = page_text(signed_in(consultant, russian_client()).get(case_url(case)))
    assert "Приветствие" in russian and ">Welcome<" not in russian


def test_use_template_without_choosing_one_says_so(signed_in, coordinator, consultant, template):
    _codename, case = new_case(coordinator, consultant)
    response = signed_in(consultant).post(
        case_url(case, "reply/"), {"text": "Typed-T2", "template": "", "action": "template"}
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "Choose a template first." in page and "Typed-T2" in page
