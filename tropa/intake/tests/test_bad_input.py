"""Bad input never breaks the intake: a clear error, what was typed kept, never a 500."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tropa.cases import questionnaire
from tropa.cases.models import Attachment, Case, Message
from tropa.conftest import english_client, russian_client
from tropa.testing.factories import answers, new_requester, signed_in_client

QUESTIONS = {q.id: q for q in questionnaire.load().questions}
TEXT_FIELDS = {qid for qid, q in QUESTIONS.items() if q.type in {"text", "textarea"}}
FIELD_NAMES = sorted(QUESTIONS) + ["unknown_field", "files", "report_by[]"]
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that can travel in a form post: no lone surrogates (not encodable).
nasty_chars = st.characters(
    blacklist_categories=("Cs",),
    whitelist_characters="\x00\x01\x07\x1b\x7f\u200f\u202e\u2066\ufeff\r\n\t😀👨‍👩‍👧",
)
nasty_text = st.one_of(
    st.text(nasty_chars, max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\u202eevil\u202c",
            "\u200fمرحبا",
            "😀" * 50,
            "<script>alert(1)</script>",
            "'; DROP TABLE cases_case; --",
            "%s %(name)s {0}",
            "31.02.2026",
            "99.99.9999",
            "завтра",
            "0000-00-00",
            "2026-13-01",
            "1.1.1",
            "abroad",
            "summons",
            "moscow",
            "military_id",
        ]
    ),
    st.integers(min_value=150, max_value=25_000).map(lambda n: "я" * n),
)
field_value = st.one_of(nasty_text, st.lists(nasty_text, min_size=0, max_size=4))


def post_form(client: Client, data: dict[str, object]):
    """Post as a browser does: its form always carries the CSRF token field."""
    return client.post("/request/", {"csrfmiddlewaretoken": "-", **data})


def shows_error(page: str) -> bool:
    return 'class="error"' in page or 'role="alert"' in page


@HYPOTHESIS
@given(data=st.dictionaries(st.sampled_from(FIELD_NAMES), field_value, max_size=12))
def test_it_never_fails_on_arbitrary_form_data(org, data):
    client = english_client(raise_request_exception=False)
    before = Case.objects.count()
    response = post_form(client, data)
    assert response.status_code in (302, 400), response.status_code
    page = response.content.decode()
    if response.status_code == 302:
        assert Case.objects.count() == before + 1
        return
    assert Case.objects.count() == before
    assert shows_error(page)
    # Every text answer that fits its field comes back as typed.
    for qid in TEXT_FIELDS & data.keys():
        value = data[qid]
        if isinstance(value, list):
            value = value[-1] if value else ""
        assert isinstance(value, str)
        if value.strip() and len(value) <= QUESTIONS[qid].max_length:
            assert escape(value) in page, qid


@HYPOTHESIS
@given(
    situation=st.one_of(st.sampled_from(["summons", "abroad"]), nasty_text),
    region=st.one_of(st.sampled_from(["moscow", "", "abroad"]), nasty_text),
    date=st.one_of(st.dates().map(lambda d: d.strftime("%d.%m.%Y")), nasty_text),
    documents=st.lists(
        st.one_of(st.sampled_from(["internal_passport", "none", "military_id"]), nasty_text),
        max_size=5,
    ),
    story=nasty_text,
)
def test_it_never_fails_on_a_nearly_valid_request(org, situation, region, date, documents, story):
    data = answers(
        situation=situation, region=region, report_by=date, documents=documents, story=story
    )
    response = post_form(english_client(raise_request_exception=False), data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        page = response.content.decode()
        assert shows_error(page)
        assert escape(data["languages"]) in page
        if story.strip() and len(story) <= 10_000:
            assert escape(story) in page


@pytest.mark.parametrize("date", ["31.02.2026", "99.99.9999", "завтра", "2026-13-40", "32/01/2026"])
def test_it_explains_an_invalid_date_and_keeps_it(org, date):
    response = post_form(english_client(), answers(report_by=date, story="kept story"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "That date does not exist." in page
    assert f'value="{escape(date)}"' in page
    assert "kept story</textarea>" in page
    assert Case.objects.count() == 0


@pytest.mark.parametrize("years", [-3, 5])
def test_it_explains_a_date_far_away(org, years):
    from tropa.core import clock

    today = clock.now().date()
    date = today.replace(year=today.year + years, day=min(today.day, 28)).strftime("%d.%m.%Y")
    page = post_form(english_client(), answers(report_by=date)).content.decode()
    assert "That date looks wrong. Write it as day.month.year" in page
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("situation", "pirate"),
        ("situation", ""),
        ("region", "atlantis"),
        ("health", "maybe"),
        ("documents", ["internal_passport", "crown"]),
    ],
)
def test_it_explains_an_unknown_choice(org, field, value):
    response = post_form(english_client(), answers(**{field: value}, story="kept again"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Select a valid choice." in page or "This field is required." in page
    assert "kept again</textarea>" in page
    assert Case.objects.count() == 0


def test_it_takes_the_last_of_several_values_for_a_single_choice(org):
    response = post_form(english_client(), answers(situation=["summons", "abroad"]))
    assert response.status_code == 302
    assert Case.objects.get().situation == "abroad"


def test_it_explains_an_oversized_story_and_keeps_it(org):
    story = "Очень длинная история." * 500  # 11 000 characters
    response = post_form(english_client(), answers(story=story))
    page = response.content.decode()
    assert response.status_code == 400
    assert f"This is {len(story)} characters long; the limit is 10000." in page
    assert "nothing has been cut" in page
    assert escape(story) in page
    # The box says its limit before anything is typed, and the browser cuts nothing
    blank = english_client().get("/request/").content.decode()
    assert "Up to 10\u00a0000 characters." in blank
    assert 'maxlength="10000"' not in blank
    assert Case.objects.count() == 0


def test_it_explains_an_oversized_story_in_russian(org):
    story = "ж" * 10_001
    response = post_form(russian_client(), answers(story=story))
    page = response.content.decode()
    assert response.status_code == 400
    assert "10000" in page
    assert '<html lang="ru"' in page
    assert story in page


@pytest.mark.parametrize("field", ["name", "contact_handle", "languages"])
def test_it_explains_an_oversized_short_answer(org, field):
    limit = QUESTIONS[field].max_length
    response = post_form(english_client(), answers(**{field: "x" * (limit + 1)}))
    page = response.content.decode()
    assert response.status_code == 400
    assert f"at most {limit} characters" in page


def test_it_refuses_nul_characters_clearly(org):
    response = post_form(english_client(), answers(story="before\x00after"))
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_it_accepts_emoji_rtl_and_control_characters_in_the_story(org):
    story = "Помогите 😀 \u202eכן\u202c\tи \u200fمرحبا\x07"
    assert post_form(english_client(), answers(story=story)).status_code == 302
    assert Case.objects.count() == 1


def test_it_answers_a_body_over_the_limit_kindly(org, settings):
    client = english_client(raise_request_exception=False)
    story = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        "/request/", f"situation=summons&story={story}", "application/x-www-form-urlencoded"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "We could not read what was sent" in page
    assert "Go back with your browser" in page
    assert Case.objects.count() == 0


def test_it_answers_a_multipart_form_over_the_limit_kindly(org, settings):
    client = english_client(raise_request_exception=False)
    story = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/request/", answers(story=story))  # multipart, as the test client posts
    assert response.status_code == 400
    assert "We could not read what was sent" in response.content.decode()
    assert Case.objects.count() == 0


def test_it_answers_a_portal_message_over_the_limit_kindly(portal_client, settings):
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = portal_client.post("/portal/send/", {"text": text})
    assert response.status_code == 400
    assert "We could not read what was sent" in response.content.decode()
    assert not Message.objects.exists()


def test_it_answers_too_many_fields_kindly(org, settings):
    client = english_client(raise_request_exception=False)
    body = "&".join(f"f{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5))
    response = client.post("/request/", body, "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "We could not read what was sent" in response.content.decode()


def test_it_answers_a_body_that_is_not_utf8(org):
    client = english_client(raise_request_exception=False)
    response = client.post(
        "/request/", b"situation=summons&story=%ff%fe%fd", "application/x-www-form-urlencoded"
    )
    assert response.status_code in (302, 400)


# --- broken multipart bodies to the portal ------------------------------------


@pytest.fixture
def portal_client(org):
    codename, _case = new_requester("en")
    return signed_in_client(codename, english_client(raise_request_exception=False))


BOUNDARY = "xyz"
GOOD_PART = b'--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nhello there\r\n'
FILE_PART = (
    b"--xyz\r\n"
    b'Content-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n"
    b"%PDF-1.4 some content\r\n"
)

BROKEN_BODIES = {
    "garbage": b"\x00\xff garbage \r\n\r\n not multipart at all",
    "empty": b"",
    "truncated file": FILE_PART[:-10],
    "file without closing": FILE_PART,
    "no headers": b"--xyz\r\n\r\nvalue\r\n--xyz--\r\n",
    "bad disposition": b"--xyz\r\nContent-Disposition: nonsense\r\n\r\nv\r\n--xyz--\r\n",
    "base64 junk": (
        b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64!!!\r\n--xyz--\r\n"
    ),
    "huge header": b'--xyz\r\nContent-Disposition: form-data; name="' + b"a" * 100_000 + b'"\r\n',
}


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_it_answers_a_broken_multipart_body_with_400(portal_client, body):
    response = portal_client.generic(
        "POST", "/portal/send/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 400, response.content.decode()[-2000:]
    assert not Message.objects.exists()


# Django's parser is lenient with these: it reads the complete parts it finds.
# (A body cut short on the way is a short read, which the server refuses.)
LENIENT_BODIES = {
    "no closing boundary": GOOD_PART,
    "truncated boundary": GOOD_PART + b"--xy",
    "truncated text": GOOD_PART[:-8],
    "truncated boundary after a file": FILE_PART + b"--x",
}


@pytest.mark.parametrize("body", LENIENT_BODIES.values(), ids=LENIENT_BODIES.keys())
def test_it_reads_what_it_can_of_an_unterminated_body(portal_client, body):
    response = portal_client.generic(
        "POST", "/portal/send/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code in (302, 400)
    assert Message.objects.count() <= 1
    assert not Attachment.objects.exists()


def test_it_survives_a_boundary_that_never_appears(portal_client):
    response = portal_client.generic(
        "POST",
        "/portal/send/",
        GOOD_PART,
        content_type="multipart/form-data; boundary=" + "b" * 200,
    )
    assert response.status_code in (302, 400)


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\x00",
        "multipart/mixed; boundary=xyz",
    ],
)
def test_it_answers_a_missing_or_bad_boundary_with_400(portal_client, content_type):
    response = portal_client.generic("POST", "/portal/send/", GOOD_PART, content_type=content_type)
    assert response.status_code == 400
    assert not Message.objects.exists()


@HYPOTHESIS
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from([GOOD_PART, FILE_PART, b"--xyz\r\n", b"--xyz--\r\n"]),
            st.binary(max_size=500),
        ),
    )
)
def test_it_never_fails_on_random_multipart_bodies(portal_client, body):
    response = portal_client.generic(
        "POST", "/portal/send/", body, content_type="multipart/form-data; boundary=xyz"
    )
    assert response.status_code in (302, 400)


def test_it_still_works_after_a_broken_body(portal_client):
    portal_client.generic("POST", "/portal/send/", b"--xy", content_type="multipart/form-data")
    response = portal_client.post("/portal/send/", {"text": "after the broken one"})
    assert response.status_code == 302
    assert Message.objects.count() == 1


def test_it_refuses_a_broken_body_with_csrf_enforced(org):
    """With real CSRF checks the body is read earlier; still a 400 or 403, never a 500."""
    codename, _case = new_requester("en")
    client = english_client(enforce_csrf_checks=True, raise_request_exception=False)
    page = client.get("/portal/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post("/portal/login/", {"codename": codename, "csrfmiddlewaretoken": token})
    for body in BROKEN_BODIES.values():
        response = client.generic(
            "POST", "/portal/send/", body, content_type="multipart/form-data; boundary=xyz"
        )
        assert response.status_code in (400, 403)
    response = client.generic(
        "POST", "/portal/send/", GOOD_PART, content_type="multipart/form-data"
    )
    assert response.status_code in (400, 403)
