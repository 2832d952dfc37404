"""Factories for tests: requests, requesters, cases and their pages.

Shared by the test modules of every app; the running application never imports this."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tropa import vault
from tropa.audit.models import Action
from tropa.audit.models import Entry as AuditEntry
from tropa.cases import actions
from tropa.cases import triage as case_triage
from tropa.cases.models import Case
from tropa.cases.uploads import SealedUpload, SealingUploadHandler
from tropa.core import clock
from tropa.intake import actions as intake
from tropa.journeys import actions as journey_actions
from tropa.keyring.actions import new_case_keyring
from tropa.keyring.models import Envelope, Keyring
from tropa.notify.models import Outbox
from tropa.testing.people import Person, english_client

WORDS = re.compile(r'<p class="codename"[^>]*>(.*?)</p>', re.S)


def report_by(days: int = 10) -> str:
    """A report-by date `days` from today, typed the way people write it."""
    return (clock.now().date() + timedelta(days=days)).strftime("%d.%m.%Y")


def answers(**overrides: object) -> dict[str, object]:
    """A complete, valid submission as the form posts it."""
    data: dict[str, object] = {
        "situation": "summons",
        "region": "tatarstan",
        "report_by": report_by(10),
        "documents": ["internal_passport", "military_id"],
        "health": "no",
        "russian": "native",
        "languages": "русский, татарский",
        "deceived": "no_contract",
        "asking": "self",
        "contact_method": "signal",
        "contact_handle": "@signal_marker_q7",
        "name": "Имярек Маркерович",
        "story": "Пришла повестка, история-маркер-Ж9.",
    }
    data.update(overrides)
    return data


def words_on(page: str) -> list[str]:
    match = WORDS.search(page)
    assert match, "no codename on the page"
    return re.findall(r"<span>([^<]+)</span>", match.group(1))


def submit(client, **overrides: object) -> str:
    """Post a request and read the codename from the page it leads to."""
    response = client.post("/request/", answers(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/request/codename/"
    page = client.get("/request/codename/")
    assert page.status_code == 200
    return " ".join(words_on(page.content.decode()))


def keep(client) -> None:
    response = client.post("/request/codename/", {"kept": "on"})
    assert response.status_code == 302
    assert response.url == "/portal/"


def case_of(codename: str) -> Case:
    found = intake.find_requester(codename)
    assert found is not None
    return Case.objects.select_related("keyring").get(pk=found[0].case_id)


def new_requester(language: str = "en", **overrides: object) -> tuple[str, Case]:
    """A stored request (straight through the action) and its codename."""
    codename, case = intake.submit_request(answers_cleaned(**overrides), language)
    return codename, Case.objects.select_related("keyring").get(pk=case.pk)


def answers_cleaned(**overrides: object) -> dict[str, object]:
    """The same answers as the form hands them to the action (a date, not text)."""
    return answers(**{"report_by": clock.now().date() + timedelta(days=10), **overrides})


def signed_in_client(codename: str, client=None):
    client = client or english_client()
    response = client.post("/portal/login/", {"codename": codename})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/portal/"
    return client


def dump_database() -> tuple[str, bytes]:
    """Every cell of every table, as text and as bytes (bytea comes back as memoryview)."""
    texts, blobs = [], []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, memoryview | bytes | bytearray):
                        blobs.append(bytes(cell))
                    else:
                        texts.append(str(cell))
    return "\n".join(texts), b"\n".join(blobs)


def assert_nowhere(*markers: str) -> None:
    text, blob = dump_database()
    for marker in markers:
        assert marker not in text, marker
        assert marker.encode() not in blob, marker


def open_intake(case: Case, keys: vault.KeyPair) -> dict[str, object]:
    return json.loads(vault.open_from_many(keys, bytes(case.sealed_intake)))


STORY = "Пришла повестка, история-маркер-Ж9."


NAME = "Имярек Маркерович"


HANDLE = "@signal_marker_q7"


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def new_request(language: str = "en") -> tuple[str, Case]:
    codename, case = intake.submit_request(answers_cleaned(), language)
    return codename, Case.objects.select_related("keyring", "team").get(pk=case.pk)


def new_case(coordinator: Person, consultant: Person | None = None) -> tuple[str, Case]:
    """A request accepted by the coordinator (and assigned to the consultant)."""
    codename, case = new_request()
    case_triage.accept(case, coordinator.staff, coordinator.keys())
    if consultant is not None:
        actions.assign(case, consultant.staff, coordinator.staff, coordinator.keys())
    return codename, Case.objects.select_related("keyring", "team").get(pk=case.pk)


def case_url(case: Case, tail: str = "") -> str:
    return f"/staff/cases/{case.pk}/{tail}"


def sealed(name: str, data: bytes) -> SealedUpload:
    """A file as SealingUploadHandler hands it to a view."""
    handler = SealingUploadHandler()
    handler.new_file("files", name, "application/octet-stream", len(data))
    handler.receive_data_chunk(data, 0)
    upload = handler.file_complete(len(data))
    assert not upload.error, upload.error
    return upload


def page_text(response) -> str:
    return unescape(response.content.decode())


def audited(action: Action, case: Case) -> int:
    return AuditEntry.objects.filter(action=action, case_id=case.pk).count()


def ivan_not_offered(page: str) -> bool:
    """ivan is on the case already, so he is not offered again."""
    return "ivan — " not in page


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def create_case_keyring() -> tuple[Keyring, vault.KeyPair]:
    """A saved case keyring, sealed to the intake team key and the recovery key."""
    ring, keys, envelopes = new_case_keyring()
    ring.save(force_insert=True)
    Envelope.objects.bulk_create(envelopes)
    return ring, keys


def active_journey(coordinator: Person, consultant: Person, duty: Person) -> dict[str, Any]:
    """An accepted case with a consultant, `duty` as the team's duty coordinator, and an
    active leg that needs a check-in every 6 hours with 30 minutes' grace."""
    for person in (coordinator, consultant, duty):
        person.staff.email = f"{person.username}@example.org"
        person.staff.save()
    codename, case = intake.submit_request({"situation": "at_front"}, "ru")
    keys = coordinator.keys()
    case_triage.accept(case, coordinator.staff, keys)
    actions.assign(case, consultant.staff, coordinator.staff, keys)
    team = case.team
    team.duty_coordinator = duty.staff
    team.save()
    leg = journey_actions.add_leg(
        case,
        consultant.staff,
        consultant.keys(),
        journey_actions.LegText(
            "Border crossing", backup_plan="Call the lawyer\nGo to the shelter"
        ),
        risk="high",
        checkin_every_hours=6,
        grace_minutes=30,
    )
    journey_actions.start_leg(leg, consultant.staff)
    Outbox.objects.all().delete()  # the assignment's own notification
    _requester, who = intake.find_requester(codename)
    return {"case": case, "leg": leg, "duty": duty, "codename": codename, "who": who}


def checkins_said(person: Person) -> list[str | None]:
    """What every check-in said, oldest first, as `person` reads it with their key."""
    from tropa.journeys.models import CheckIn

    said = []
    for checkin in CheckIn.objects.select_related("leg__plan__case").order_by("pk"):
        keys = actions.open_case(checkin.leg.plan.case, person.staff, person.keys())
        kind = journey_actions.read_said(checkin, keys)
        said.append(str(kind) if kind else None)
    return said
