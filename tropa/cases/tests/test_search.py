"""Staff search: only the cases the person can open, Russian-aware words, a
snippet from the entry that holds them, and nothing of the query kept."""

from __future__ import annotations

import pytest

from tropa.accounts.models import Role
from tropa.audit.models import Action, Entry
from tropa.cases import actions, search, search_index
from tropa.cases import triage as case_triage
from tropa.cases.models import SearchIndex
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.testing.factories import answers_cleaned, assert_nowhere, new_case, new_request

pytestmark = pytest.mark.django_db


def found(client, query: str) -> str:
    """The results part of the page (the form shows the query back)."""
    response = client.post("/staff/search/", {"q": query})
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    return html[html.index('<section class="search-results"') :]


def aliases_in(html: str, *cases) -> list[str]:
    return [case.alias for case in cases if case.alias in html]


def test_it_finds_words_in_every_kind_of_entry_whatever_their_form(
    coordinator, consultant, signed_in
):
    codename, case = new_case(coordinator, consultant)
    keys = consultant.keys()
    actions.reply(case, consultant.staff, keys, "Не ходите в военкомат до разговора с юристом.")
    actions.note(case, consultant.staff, keys, "Родственник в Оренбурге, звонить вечером.")
    actions.add_task(case, consultant.staff, consultant.staff, keys, "Найти адвоката по АГС", None)
    requester, who = intake.find_requester(codename)  # type: ignore[misc]
    intake.send_message(requester, who, "Ещё одна повестка пришла вчера, ёлки", [])
    client = signed_in(consultant)
    for query in (
        "военкомат",  # a reply
        "оренбурге",  # a note, any case
        "АДВОКАТ",  # a task title
        "повестку",  # the requester's message and the story, another ending
        "елки",  # ё as е
        "юрист разговор",  # two words, any order, each by its stem
        "история-маркер-Ж9",  # the story in the answers
    ):
        assert case.alias in found(client, query), query
    assert case.alias not in found(client, "повестка танк")  # every word must match


def test_the_snippet_shows_the_words_in_context_but_never_a_hidden_answer(
    coordinator, consultant, signed_in
):
    _code, case = new_case(coordinator, consultant)
    actions.note(case, consultant.staff, consultant.keys(), "Встреча у вокзала в пятницу утром.")
    client = signed_in(consultant)
    html = found(client, "вокзал")
    assert '<p class="snippet">Встреча у вокзала в пятницу утром.</p>' in html
    hidden = found(client, "Имярек")  # the name: asked for, shown only on request
    assert case.alias in hidden and "Имярек" not in hidden
    assert "Found in an answer shown only on request" in hidden


def test_an_outsider_finds_nothing_of_other_peoples_cases(
    coordinator, consultant, outsider, make_person, signed_in
):
    _code, case = new_case(coordinator, consultant)
    actions.note(case, consultant.staff, consultant.keys(), "секретное слово жёлудь")
    other = make_person("maria", Role.CONSULTANT)
    assert case.alias not in found(signed_in(other), "желудь")
    assert case.alias not in found(signed_in(outsider), "желудь")
    assert case.alias not in found(signed_in(outsider), case.alias)
    assert case.alias not in found(signed_in(outsider), str(case.pk)[:8])
    # Analysts and admins have no search at all
    analyst = make_person("pavel", Role.ANALYST)
    assert signed_in(analyst).post("/staff/search/", {"q": "желудь"}).status_code == 404


def test_it_finds_a_case_by_alias_or_short_number(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    assert case.alias in found(client, case.alias.split()[0])
    assert case.alias in found(client, str(case.pk)[:8])


def test_a_coordinator_searches_new_requests_through_the_intake_key(coordinator, signed_in):
    _code, request = new_request()
    assert "<h2>1 case found</h2>" in found(signed_in(coordinator), "повестка")
    assert request.status == "new"


def test_the_query_is_kept_nowhere_and_the_search_is_audited(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    client = signed_in(consultant)
    found(client, "незабудка-маркер-Q5")
    found(client, "повестка")
    assert_nowhere("незабудка", "незабудка-маркер-Q5")
    entries = list(Entry.objects.filter(action=Action.SEARCHED).order_by("seq"))
    assert [e.count for e in entries] == [0, 1] and all(e.case_id is None for e in entries)
    # The words of the case are sealed too
    assert_nowhere("повестка", "история-маркер-Ж9")


def test_bad_input_is_refused_kindly_and_kept(coordinator, consultant, signed_in):
    client = signed_in(consultant)
    empty = client.post("/staff/search/", {"q": "   "})
    assert empty.status_code == 400 and "Write what to look for" in empty.content.decode()
    long = client.post("/staff/search/", {"q": "я" * 300})
    assert long.status_code == 400 and "я" * 300 in long.content.decode()
    assert client.get("/staff/search/").status_code == 200


def test_an_older_case_without_an_index_is_indexed_at_its_first_search(
    coordinator, consultant, signed_in
):
    _code, case = new_case(coordinator, consultant)
    actions.note(case, consultant.staff, consultant.keys(), "ключевое-слово-М1")
    SearchIndex.objects.filter(case=case).delete()
    assert case.alias in found(signed_in(consultant), "ключевое-слово-М1")
    assert SearchIndex.objects.filter(case=case, full=True).count() == 1


def test_a_merged_request_is_found_in_the_case_it_joined(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    intake_answers = answers_cleaned(story="Второе обращение про рододендрон")
    _code2, other = intake.submit_request(intake_answers, "en")
    case_triage.merge(other, case, coordinator.staff, coordinator.keys())
    html = found(signed_in(consultant), "рододендрон")
    assert case.alias in html and "<h2>1 case found</h2>" in html


def test_many_new_entries_are_folded_into_one_row(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    for n in range(search_index.FOLD_AFTER):
        actions.note(case, consultant.staff, consultant.keys(), f"заметка номер {n}")
    assert SearchIndex.objects.filter(case=case).count() == search_index.FOLD_AFTER + 1
    assert case.alias in found(signed_in(consultant), "заметка")
    assert SearchIndex.objects.filter(case=case).count() == 1
    assert case.alias in found(signed_in(consultant), "номер 19")


def test_a_tampered_index_row_is_ignored(coordinator, consultant, signed_in):
    _code, case = new_case(coordinator, consultant)
    row = SearchIndex.objects.get(case=case)
    sealed = bytearray(row.sealed_terms)
    sealed[-1] ^= 1
    SearchIndex.objects.filter(pk=row.pk).update(sealed_terms=bytes(sealed))
    assert case.alias not in found(signed_in(consultant), "повестка")


def test_russian_endings_are_dropped_from_query_words():
    assert search.query_terms("Повестку военкомата ЁЛКИ") == ["повестк", "военкомат", "елки"]
    assert search.stem("суд") == "суд"


def test_a_coordinator_finds_a_case_by_codename_audited(
    coordinator, consultant, signed_in, make_person
):
    codename, case = new_case(coordinator, consultant)
    client = signed_in(coordinator)
    found_it = client.post("/staff/search/codename/", {"codename": codename.upper()})
    assert found_it.status_code == 302 and found_it.url == f"/staff/cases/{case.pk}/"
    wrong = client.post("/staff/search/codename/", {"codename": "нет такого имени"}, follow=True)
    assert "No case you can see has that codename" in wrong.content.decode()
    assert (
        signed_in(consultant).post("/staff/search/codename/", {"codename": codename}).status_code
        == 404
    )
    audited = Entry.objects.filter(action=Action.FOUND_BY_CODENAME).order_by("seq")
    assert [e.case_id for e in audited] == [case.pk, None]
    assert_nowhere(codename)
    assert clock.now()  # the clock is untouched here
