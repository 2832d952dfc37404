"""Requesters who speak little Russian: the picker in every language's own
name, the choice kept for the visit only, right-to-left pages, the notice on
unreviewed translations, the request's language coded for routing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tropa.accounts.models import Staff
from tropa.cases.models import Case
from tropa.core import clock, languages
from tropa.intake import codenames
from tropa.testing.factories import new_case, new_requester, signed_in_client

pytestmark = pytest.mark.django_db

UNREVIEWED_EN = "This translation has not yet been checked by a native speaker"


def choose(client: Client, language: str) -> None:
    response = client.post("/language/", {"language": language, "next": "/"})
    assert response.status_code == 302


def test_the_start_page_offers_every_language_in_its_own_name(org):
    page = Client().get("/").content.decode()
    for spoken in languages.REQUESTER:
        assert f'value="{spoken.code}" lang="{spoken.code}"' in page
        assert spoken.own_name in page
    assert "<script" not in page


def test_the_choice_lasts_for_the_visit_only(org):
    client = Client()
    choose(client, "uz")
    cookie = client.cookies["tropa_lang"]
    assert cookie.value == "uz"
    assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


@pytest.mark.parametrize(
    ("language", "direction", "heading"),
    [
        ("uz", "ltr", "Majburiy harbiy xizmatdan qutulishga yordam"),
        ("fa-af", "rtl", "کمک برای رهایی از خدمت نظامی اجباری"),
        ("ar", "rtl", "مساعدة على النجاة من الخدمة العسكرية القسرية"),
        ("ta", "ltr", "கட்டாய இராணுவ சேவையிலிருந்து விடுபட உதவி"),
        ("bn", "ltr", "বাধ্যতামূলক সামরিক সেবা থেকে বেরিয়ে আসতে সাহায্য"),
        ("si", "ltr", "බලහත්කාර හමුදා සේවයෙන් මිදීමට උදව්"),
    ],
)
def test_a_new_language_reads_in_its_direction_with_the_unreviewed_notice(
    org, language, direction, heading
):
    client = Client()
    choose(client, language)
    page = client.get("/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert heading in page
    assert UNREVIEWED_EN in page  # in English too, for whoever helps the person read
    assert re.search(r'<p lang="en" dir="ltr">' + UNREVIEWED_EN, page)
    assert UNREVIEWED_EN not in Client().get("/").content.decode()  # Russian: reviewed


def test_a_request_in_uzbek_is_coded_and_gets_a_latin_codename(org):
    client = Client()
    choose(client, "uz")
    form = client.get("/request/").content.decode()
    assert "Sizga nima boʻlyapti?" in form and "Men harbiy qismda yoki frontdaman" in form
    response = client.post(
        "/request/", {"situation": "contract", "story": "Meni aldab shartnoma imzolatishdi"}
    )
    assert response.status_code == 302
    page = client.get("/request/codename/").content.decode()
    assert "Kod nomingiz" in page or "kod nomingiz" in page
    case = Case.objects.get()
    assert case.language == "uz"
    line = re.search(r'<p class="codename"[^>]*>(.*?)</p>', page, re.S)
    words = re.findall(r"<span>([^<]+)</span>", line.group(1))
    assert len(words) == 7 and all(w in codenames.load_words("en") for w in words)


def test_answers_may_be_written_in_any_language(org):
    client = Client()
    choose(client, "fa-af")
    story = "मुझे नौकरी का झांसा देकर लाया गया"  # Hindi, on the Dari page
    response = client.post("/request/", {"situation": "contract", "story": story})
    assert response.status_code == 302
    assert Case.objects.get().language == "fa-af"


def test_staff_pages_stay_in_russian_or_english(coordinator, signed_in):
    olga = signed_in(coordinator)
    olga.cookies["tropa_lang"] = "fa-af"
    page = olga.get("/staff/").content.decode()
    assert '<html lang="en" dir="ltr">' in page


def test_coordinators_filter_the_inbox_by_language_and_see_who_speaks_it(
    coordinator, consultant, signed_in, org
):
    uz = Client()
    choose(uz, "uz")
    uz.post("/request/", {"situation": "contract", "story": "Yordam kerak"})
    Client().post("/request/", {"situation": "summons", "story": "Повестка"})
    olga = signed_in(coordinator)
    page = olga.get("/staff/inbox/?language=uz").content.decode()
    uz_case = Case.objects.get(language="uz")
    ru_case = Case.objects.get(language="ru")
    assert str(uz_case.pk) in page and str(ru_case.pk) not in page
    assert "Oʻzbekcha (1)" in page
    # a consultant says which languages they speak; the assignment choice shows it
    ivan = signed_in(consultant)
    saved = ivan.post("/staff/account/", {"speaks_form": "1", "speaks": ["uz", "fa-af"]})
    assert saved.status_code == 302
    assert Staff.objects.get(pk=consultant.staff.pk).speaks == ["fa-af", "uz"]
    _c, case = new_case(coordinator)
    assignment = olga.get(f"/staff/cases/{case.pk}/").content.decode()
    assert re.search(r"ivan · [^<]*Oʻzbekcha", assignment)


@pytest.mark.parametrize(
    ("language", "month"),
    [
        ("si", "උඳුවප්"),  # Django has no Sinhala: Babel's CLDR names the month
        ("fa-af", "دسمبر"),  # Dari's own month names, not Iran's (Django's "fa")
        ("ta", "டிசம்பர்"),  # Django's own Tamil catalog
        ("ru", "декабря"),
    ],
)
def test_the_portal_dates_each_entry_in_the_readers_language(org, language, month):
    december = clock.now().replace(month=12, day=4, hour=12) - clock.now()
    with clock.moved(december):  # the request and its entries are dated in December
        codename, _case = new_requester(language)
    client = Client()
    choose(client, language)
    signed_in_client(codename, client)
    page = client.get("/portal/").content.decode()
    times = re.findall(r"<time [^>]*>([^<]+)</time>", page)
    assert times and all(month in t for t in times), times
    assert "December" not in page
