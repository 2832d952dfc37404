"""Triage: the coordinators' inbox, accept, discard with undo, merge.

Requests are filed through the real intake action (tropa.intake.actions), so
every case here has real keys: accepting and merging open them with the
coordinator's own keys, as in production.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tropa.accounts.models import Role
from tropa.audit.models import Action, Entry
from tropa.cases import actions, events
from tropa.cases import triage as case_triage
from tropa.cases.models import Case, Kind, Status
from tropa.conftest import russian_client, sign_in
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.keyring.models import Envelope, RecipientKind

pytestmark = pytest.mark.django_db

STORY = "История-маркер-Q4 про повестку."


def file_request(hours_ago: int = 0, **overrides: object) -> tuple[str, Case]:
    """A request through the real intake path, received `hours_ago` hours ago."""
    answers: dict[str, object] = {
        "situation": "summons",
        "region": "tatarstan",  # Volga
        "health": "no",
        "russian": "native",
        "deceived": "no_contract",
        "asking": "self",
        "story": STORY,
    }
    answers.update(overrides)
    with clock.moved(-timedelta(hours=hours_ago)):
        return intake.submit_request(answers, "ru")


def soon(days: int = 2) -> date:
    return clock.now().date() + timedelta(days=days)


def row_ids(page: str) -> list[str]:
    """Case ids in the order the inbox lists them."""
    return re.findall(r'<a href="/staff/cases/([0-9a-f-]{36})/">', page)


def inbox(client, query: str = "") -> str:
    response = client.get("/staff/inbox/" + query)
    assert response.status_code == 200
    return response.content.decode()


def option(page: str, name: str, value: str) -> str:
    """The text of one filter option, e.g. 'Received a summons (3)'."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    match = re.search(rf'<option value="{value}"[^>]*>([^<]*)</option>', select.group(0))
    assert match, (name, value)
    return match.group(1)


def messages_on(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# The inbox -------------------------------------------------------------------


def test_it_lists_new_requests_by_priority_then_age(coordinator, signed_in):
    _c, old_summons = file_request(hours_ago=30)  # priority 20
    _c, new_summons = file_request(hours_ago=2)  # 20, newer: after the older one
    _c, front = file_request(situation="at_front")  # 40
    _c, urgent = file_request(hours_ago=1, report_by=soon(2), health="yes")  # 20+30+15
    _c, accepted = file_request(situation="awol")
    case_triage.accept(accepted, coordinator.staff, coordinator.keys())

    page = inbox(signed_in(coordinator))

    assert row_ids(page) == [str(c.pk) for c in (urgent, front, old_summons, new_summons)]


def test_it_shows_coded_fields_and_why_not_the_answers(coordinator, signed_in):
    file_request(hours_ago=3, report_by=soon(2), health="yes", russian="basic", deceived="yes")
    file_request(hours_ago=50, situation="relative", region="moscow")

    page = inbox(signed_in(coordinator))

    assert "Received a summons" in page
    assert "Asking for a relative" in page
    for badge in (
        "report-by date soon",
        "serious illness",
        "little Russian",
        "deceived into contract",
        "for a relative",
    ):
        assert f'<span class="badge">{badge}</span>' in page
    assert "Volga" in page
    assert "Central" in page
    assert '<td class="age" data-label="Waiting">3 h</td>' in page
    assert '<td class="age" data-label="Waiting">2 d</td>' in page
    # Nothing decrypted: no answer text, no audit entry for reading a case.
    assert STORY not in page
    assert not Entry.objects.filter(action=Action.CASE_VIEWED).exists()


def test_it_filters_by_situation_with_counts(coordinator, signed_in):
    summons = [file_request()[1] for _ in range(3)]
    front = file_request(situation="at_front")[1]
    file_request(situation="awol", health="yes")
    client = signed_in(coordinator)

    page = inbox(client, "?situation=summons")

    assert sorted(row_ids(page)) == sorted(str(c.pk) for c in summons)
    assert option(page, "situation", "summons") == "Received a summons (3)"
    assert option(page, "situation", "at_front") == "In a unit or at the front (1)"
    assert option(page, "situation", "mobilised") == "Called up or mobilised (0)"
    assert "3 new requests" in page
    # Counts of the other facets follow the situation filter.
    assert option(page, "flag", "front") == "at the front (0)"
    assert option(page, "flag", "illness") == "serious illness (0)"
    # ... and the situation counts follow the other filters.
    page = inbox(client, "?flag=front")
    assert row_ids(page) == [str(front.pk)]
    assert option(page, "situation", "summons") == "Received a summons (0)"
    assert option(page, "situation", "at_front") == "In a unit or at the front (1)"


def test_it_filters_by_flag_with_counts(coordinator, signed_in):
    report_soon = file_request(report_by=soon(2))[1]
    file_request(report_by=soon(60))  # far away: no flag
    both = file_request(report_by=soon(5), russian="none")[1]
    file_request(situation="awol")

    page = inbox(signed_in(coordinator), "?flag=report_soon")

    assert set(row_ids(page)) == {str(report_soon.pk), str(both.pk)}
    assert option(page, "flag", "report_soon") == "report-by date soon (2)"
    assert option(page, "flag", "poor_russian") == "little Russian (1)"
    assert option(page, "flag", "awol") == "absent from unit (1)"
    assert option(page, "situation", "summons") == "Received a summons (2)"
    assert "selected>report-by date soon (2)" in page


def test_it_filters_by_region_group_with_counts(coordinator, signed_in):
    volga = [file_request()[1] for _ in range(2)]
    file_request(region="moscow")
    file_request(region="")

    page = inbox(signed_in(coordinator), "?region=volga")

    assert sorted(row_ids(page)) == sorted(str(c.pk) for c in volga)
    assert option(page, "region", "volga") == "Volga (2)"
    assert option(page, "region", "central") == "Central (1)"
    assert option(page, "region", "unknown") == "Prefer not to say (1)"
    assert option(page, "region", "siberia") == "Siberia (0)"


def test_it_filters_by_age_with_counts(coordinator, signed_in):
    file_request(hours_ago=2)
    day_and_a_half = file_request(hours_ago=36)[1]
    four_days = file_request(hours_ago=4 * 24)[1]
    ten_days = file_request(hours_ago=10 * 24)[1]
    client = signed_in(coordinator)

    page = inbox(client, "?age=3")

    assert row_ids(page) == [str(ten_days.pk), str(four_days.pk)]
    assert option(page, "age", "1") == "older than 1 day (3)"
    assert option(page, "age", "3") == "older than 3 days (2)"
    assert option(page, "age", "7") == "older than 7 days (1)"
    assert str(day_and_a_half.pk) in row_ids(inbox(client, "?age=1"))
    # A value that is not offered is ignored, not an error.
    assert len(row_ids(inbox(client, "?age=999&situation=nonsense&page=x"))) == 4


def test_it_pages_fifty_at_a_time(coordinator, signed_in):
    cases = [file_request(hours_ago=60 - n)[1] for n in range(55)]
    client = signed_in(coordinator)

    first = inbox(client)
    second = inbox(client, "?page=2")

    assert row_ids(first) == [str(c.pk) for c in cases[:50]]
    assert row_ids(second) == [str(c.pk) for c in cases[50:]]
    assert "55 new requests" in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert "showing 51–55" in second
    # Beyond the last page: the last page.
    assert row_ids(inbox(client, "?page=9")) == row_ids(second)


def test_it_keeps_filters_in_page_links(coordinator, signed_in):
    for _ in range(51):
        file_request(situation="at_front")
    file_request()

    page = inbox(signed_in(coordinator), "?situation=at_front")

    assert 'href="?situation=at_front&amp;page=2"' in page


def test_it_does_not_grow_queries_with_rows(coordinator, signed_in):
    client = signed_in(coordinator)
    for _ in range(5):
        file_request(report_by=soon(2), health="yes")
    with CaptureQueriesContext(connection) as few:
        inbox(client, "?flag=report_soon")
    for n in range(55):
        file_request(hours_ago=n, situation="awol", report_by=soon(n % 5), russian="basic")

    with CaptureQueriesContext(connection) as many:
        page = inbox(client, "?flag=report_soon")
    assert len(row_ids(page)) == 50
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
    with CaptureQueriesContext(connection) as unfiltered:
        page = inbox(client)
    assert len(row_ids(page)) == 50
    assert len(unfiltered) == len(few)
    # Five facets (situation, flag, region, age, language), the labels' facet
    # and one page of rows (the rest is session, staff, two-factor, the label names).
    on_cases = [q for q in few.captured_queries if 'FROM "cases_case' in q["sql"]]
    assert len(on_cases) == 7, "\n".join(q["sql"][:150] for q in on_cases)


def test_it_counts_queries_of_the_discarded_list(coordinator, signed_in):
    client = signed_in(coordinator)
    cases = [file_request()[1] for _ in range(3)]
    case_triage.discard(cases, coordinator.staff)
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/inbox/discarded/")
    case_triage.discard([file_request()[1] for _ in range(20)], coordinator.staff)
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/inbox/discarded/")
    assert len(few) == len(many)


# Who may triage --------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "consultant", "analyst", "outsider"])
def test_it_answers_404_to_everyone_but_coordinators(role, request, coordinator, signed_in):
    person = request.getfixturevalue(role)
    _c, case = file_request()
    _c, other = file_request(situation="at_front")
    case_triage.accept(other, coordinator.staff, coordinator.keys())
    _c, gone = file_request()
    case_triage.discard([gone], coordinator.staff)
    client = signed_in(person)

    for url in ("/staff/inbox/", "/staff/inbox/discarded/", f"/staff/cases/{case.pk}/merge/"):
        assert client.get(url).status_code == 404, url
    posts = {
        "/staff/inbox/discard/": {"case": [str(case.pk)]},
        f"/staff/cases/{case.pk}/accept/": {},
        f"/staff/cases/{case.pk}/discard/": {},
        f"/staff/cases/{case.pk}/merge/": {"target": str(other.pk)},
        f"/staff/cases/{gone.pk}/restore/": {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
        assert client.get(url).status_code == 404, url
    case.refresh_from_db()
    gone.refresh_from_db()
    assert (case.status, gone.status) == (Status.NEW, Status.DISCARDED)
    assert not Entry.objects.filter(actor=person.staff, case_id__isnull=False).exists()


def test_it_answers_404_for_cases_that_do_not_exist(coordinator, signed_in):
    client = signed_in(coordinator)
    missing = uuid.uuid4()
    for action in ("accept", "discard", "restore", "merge"):
        assert client.post(f"/staff/cases/{missing}/{action}/").status_code == 404


def test_it_takes_changes_by_post_only(coordinator, signed_in):
    _c, case = file_request()
    client = signed_in(coordinator)
    for url in ("accept", "discard", "restore"):
        assert client.get(f"/staff/cases/{case.pk}/{url}/").status_code == 405
    assert client.get("/staff/inbox/discard/").status_code == 405
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_it_hides_other_teams_cases_from_a_coordinator(coordinator, make_person, signed_in):
    from tropa.accounts.models import Team

    other = make_person("boris", Role.COORDINATOR)
    other.staff.team = Team.objects.create(name="South")
    other.staff.save(update_fields=["team"])
    _c, theirs = file_request()
    _c, request = file_request()
    case_triage.accept(theirs, other.staff, other.keys())
    client = signed_in(coordinator)

    # Not a merge target, and no action on it.
    page = client.get(f"/staff/cases/{request.pk}/merge/").content.decode()
    assert theirs.alias not in page
    response = client.post(f"/staff/cases/{request.pk}/merge/", {"target": str(theirs.pk)})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.NEW
    assert client.post(f"/staff/cases/{theirs.pk}/discard/").status_code == 404
    assert client.post(f"/staff/cases/{theirs.pk}/accept/").status_code == 404


# Accept ----------------------------------------------------------------------


def test_it_accepts_a_request(coordinator, make_person, signed_in):
    colleague = make_person("vera", Role.COORDINATOR)
    _c, case = file_request()
    client = signed_in(coordinator)

    response = client.post(f"/staff/cases/{case.pk}/accept/")

    assert response.status_code == 302
    assert response.url == f"/staff/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == Status.TRIAGED
    assert case.alias
    assert case.team == coordinator.staff.team
    envelopes = Envelope.objects.filter(keyring=case.keyring_id)
    assert not envelopes.filter(recipient_kind=RecipientKind.INTAKE).exists()
    holders = set(
        envelopes.filter(recipient_kind=RecipientKind.STAFF).values_list("staff", flat=True)
    )
    assert holders == {coordinator.staff.pk, colleague.staff.pk}
    # The colleague opens it with their own key, not through the intake key.
    actions.open_case(case, colleague.staff, colleague.keys())
    assert Entry.objects.filter(
        action=Action.CASE_ACCEPTED, actor=coordinator.staff, case_id=case.pk
    ).exists()
    assert str(case.pk) not in row_ids(inbox(client))


def test_it_says_when_a_request_was_already_handled(coordinator, signed_in):
    _c, case = file_request()
    client = signed_in(coordinator)
    client.post(f"/staff/cases/{case.pk}/accept/")
    alias = Case.objects.get(pk=case.pk).alias

    response = client.post(f"/staff/cases/{case.pk}/accept/", follow=True)

    assert response.status_code == 200
    assert "This request was already handled." in messages_on(response)
    assert Case.objects.get(pk=case.pk).alias == alias
    response = client.post(f"/staff/cases/{case.pk}/discard/", follow=True)
    assert "This request was already handled." in messages_on(response)
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGED


def test_it_explains_a_missing_key_instead_of_failing(coordinator, signed_in):
    _c, case = file_request()
    client = signed_in(coordinator)
    Envelope.objects.filter(staff=coordinator.staff).delete()

    response = client.post(f"/staff/cases/{case.pk}/accept/", follow=True)

    assert response.status_code == 200
    assert "holds no key" in messages_on(response)
    assert Case.objects.get(pk=case.pk).status == Status.NEW


# Discard and undo ------------------------------------------------------------


def test_it_discards_one_and_restores_it_within_the_window(coordinator, signed_in):
    _c, case = file_request()
    client = signed_in(coordinator)

    response = client.post(f"/staff/cases/{case.pk}/discard/", follow=True)

    minutes = settings.TROPA_DISCARD_UNDO_MINUTES
    assert "Discarded 1 request. " in messages_on(response)
    assert f'<a href="/staff/inbox/discarded/">Undo within {minutes} minutes.</a>' in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.status == Status.DISCARDED
    assert str(case.pk) not in row_ids(inbox(client))
    assert Entry.objects.filter(action=Action.CASE_DISCARDED, case_id=case.pk).exists()

    with clock.moved(timedelta(minutes=minutes - 1)):
        listed = client.get("/staff/inbox/discarded/").content.decode()
        assert f'action="/staff/cases/{case.pk}/restore/"' in listed
        response = client.post(f"/staff/cases/{case.pk}/restore/", follow=True)

    assert "The request is back in the inbox." in messages_on(response)
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert str(case.pk) in row_ids(inbox(client))
    assert Entry.objects.filter(action=Action.CASE_RESTORED, case_id=case.pk).exists()


def test_it_cannot_restore_after_the_window_and_the_watcher_shreds(coordinator, signed_in):
    codename, case = file_request()
    keyring_id = case.keyring_id
    client = signed_in(coordinator)
    client.post(f"/staff/cases/{case.pk}/discard/")
    minutes = settings.TROPA_DISCARD_UNDO_MINUTES

    # Inside the window the job leaves it alone.
    assert case_triage.shred_discarded() == 0
    with clock.moved(timedelta(minutes=minutes + 1)):
        listed = client.get("/staff/inbox/discarded/").content.decode()
        assert str(case.pk) not in listed
        assert "Nothing was discarded recently." in listed
        response = client.post(f"/staff/cases/{case.pk}/restore/", follow=True)
        assert "Too late" in messages_on(response)
        assert case_triage.shred_discarded() == 1

    case.refresh_from_db()
    assert case.status == Status.DISCARDED
    assert bytes(case.sealed_intake) == b""
    assert not Envelope.objects.filter(keyring=keyring_id).exists()
    assert intake.find_requester(codename) is None


def test_it_bulk_discards_only_requests_still_new(coordinator, signed_in):
    cases = [file_request()[1] for _ in range(3)]
    keep = file_request()[1]
    case_triage.accept(cases[0], coordinator.staff, coordinator.keys())
    client = signed_in(coordinator)

    response = client.post(
        "/staff/inbox/discard/",
        {"case": [str(c.pk) for c in cases] + ["not-a-uuid"], "next": "/staff/inbox/?page=1"},
    )

    assert response.url == "/staff/inbox/?page=1"
    statuses = {c.pk: s for c, s in ((c, Case.objects.get(pk=c.pk).status) for c in cases)}
    assert statuses == {
        cases[0].pk: Status.TRIAGED,
        cases[1].pk: Status.DISCARDED,
        cases[2].pk: Status.DISCARDED,
    }
    assert Case.objects.get(pk=keep.pk).status == Status.NEW
    page = client.get(response.url).content.decode()
    assert "Discarded 2 requests." in page
    assert Entry.objects.filter(action=Action.CASE_DISCARDED).count() == 2


def test_it_never_redirects_a_bulk_discard_elsewhere(coordinator, signed_in):
    _c, case = file_request()
    client = signed_in(coordinator)
    for target in ("https://evil.example/", "//evil.example/", "/staff/people/"):
        response = client.post("/staff/inbox/discard/", {"case": [str(case.pk)], "next": target})
        assert response.url == "/staff/inbox/"


def test_it_asks_to_select_before_a_bulk_discard(coordinator, signed_in):
    response = signed_in(coordinator).post("/staff/inbox/discard/", follow=True)
    assert "Select the requests to discard first." in messages_on(response)


# Merge -----------------------------------------------------------------------


def test_it_merges_a_request_into_an_open_case(coordinator, signed_in):
    # Given a case of the team and a second request from the same person
    _first_codename, target = file_request(situation="mobilised")
    case_triage.accept(target, coordinator.staff, coordinator.keys())
    target.refresh_from_db()
    codename, source = file_request(situation="at_front")
    requester, who = intake.find_requester(codename)
    intake.send_message(requester, who, "Второе сообщение-маркер-M1", [])
    client = signed_in(coordinator)

    # When the coordinator picks the case and confirms
    page = client.get(f"/staff/cases/{source.pk}/merge/").content.decode()
    assert f'<option value="{target.pk}">{target.alias}</option>' in page
    confirm = client.get(f"/staff/cases/{source.pk}/merge/?target={target.pk}").content.decode()
    assert f"Merge this request into {target.alias}?" in confirm
    response = client.post(f"/staff/cases/{source.pk}/merge/", {"target": str(target.pk)})

    # Then the codename opens the target, and the messages moved with it
    assert response.url == f"/staff/cases/{target.pk}/"
    assert intake.find_requester(codename)[0].case == target
    source.refresh_from_db()
    assert source.status == Status.MERGED
    assert source.merged_into == target
    assert not Envelope.objects.filter(keyring=source.keyring_id).exists()
    keys = actions.open_case(target, coordinator.staff, coordinator.keys())
    bodies = [entry.body for entry in actions.read_timeline(target, keys)]
    assert "Второе сообщение-маркер-M1" in bodies
    timeline = actions.read_timeline(target, keys)
    stored = [events.decode(e.body) for e in timeline if e.message.kind == Kind.EVENT]
    merged = [event for event in stored if event.kind == events.CaseEvent.MERGED]
    assert merged[0].payload["intake"]["answers"]["story"] == STORY
    assert Entry.objects.filter(action=Action.CASE_MERGED, case_id=target.pk).exists()


def test_it_offers_recent_team_cases_and_a_search(coordinator, signed_in):
    targets = [file_request()[1] for _ in range(3)]
    for case in targets:
        case_triage.accept(case, coordinator.staff, coordinator.keys())
    aliases = [Case.objects.get(pk=c.pk).alias for c in targets]
    _c, source = file_request()
    client = signed_in(coordinator)

    page = client.get(f"/staff/cases/{source.pk}/merge/").content.decode()
    for case in targets:
        assert f'href="?target={case.pk}"' in page
    word = aliases[0].split()[0].lower()
    found = client.get(f"/staff/cases/{source.pk}/merge/", {"q": word}).content.decode()
    assert f'value="{targets[0].pk}"' in found


def test_it_refuses_to_merge_into_a_case_that_is_not_a_target(coordinator, signed_in):
    _c, source = file_request()
    _c, still_new = file_request()
    client = signed_in(coordinator)

    for target in (str(still_new.pk), str(source.pk), "nonsense", str(uuid.uuid4())):
        response = client.post(f"/staff/cases/{source.pk}/merge/", {"target": target}, follow=True)
        assert "Choose an open case of your team" in messages_on(response)
    source.refresh_from_db()
    assert source.status == Status.NEW


# Language --------------------------------------------------------------------


def test_it_speaks_russian_by_default(coordinator):
    file_request(report_by=soon(2))
    client = sign_in(russian_client(), coordinator)
    page = client.get("/staff/inbox/").content.decode()
    assert "Новые обращения" in page
    assert "New requests" not in page
    assert "report-by date soon" not in page


def test_it_accepts_merges_or_discards_a_request_only_once(coordinator):
    # Given two coordinators who loaded the same request a moment apart
    _c, case = file_request()
    _c, target = file_request()
    case_triage.accept(target, coordinator.staff, coordinator.keys())
    stale = Case.objects.select_related("keyring").get(pk=case.pk)
    case_triage.discard([case], coordinator.staff)

    # When the second one acts on what they loaded, nothing changes
    with pytest.raises(actions.NotAllowed):
        case_triage.accept(stale, coordinator.staff, coordinator.keys())
    with pytest.raises(actions.NotAllowed):
        case_triage.merge(stale, target, coordinator.staff, coordinator.keys())
    case.refresh_from_db()
    assert (case.status, case.alias, case.team_id) == (Status.DISCARDED, "", None)
    assert Envelope.objects.filter(keyring=case.keyring_id).count() == 2
