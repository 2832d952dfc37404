"""What a requester can do: submit a request, write, attach, delete everything.

Each function does bounded work (no slow KDF: the codename has 80+ bits, so a
keyed BLAKE2b is enough) and seals everything before it reaches the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction

from tropa import vault
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import questionnaire, queue, search_index, stats, timeline
from tropa.cases.actions import notify_new_message
from tropa.cases.models import (
    FLAGS,
    Case,
    Kind,
    Message,
    RegionGroup,
    SearchIndex,
    Situation,
    Status,
)
from tropa.cases.uploads import SealedUpload, store_upload
from tropa.core import clock, groupcommit, tally
from tropa.intake import codenames, triage
from tropa.intake.models import Requester
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, Keyring


@dataclass(frozen=True)
class Identity:
    """What a codename opens: the lookup id and the requester's key pair."""

    lookup_id: bytes
    keys: vault.KeyPair


def identity(codename: str) -> Identity:
    canonical = vault.normalise_codename(codenames.normalise(codename))
    pepper = settings.TROPA_PEPPER
    return Identity(
        lookup_id=vault.requester_lookup_id(pepper, canonical),
        keys=vault.requester_keypair(pepper, canonical),
    )


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def seal_answers(answers: dict[str, object], recipients: list[bytes]) -> bytes:
    body = json.dumps(answers, default=_json_default, ensure_ascii=False).encode()
    return vault.seal_to_many(body, recipients)


def submit_request(answers: dict[str, object], language: str) -> tuple[str, Case]:
    """Store a request, sealed; return the codename that opens it, and the case.

    The codename is shown once and stored nowhere.
    """
    q = questionnaire.load()
    coded = triage.code_answers(q, answers)
    stored = {"language": language, "answers": answers}
    for _attempt in range(3):
        codename = codenames.generate_codename(codenames.list_for(language))
        who = identity(codename)
        # All the cryptography happens here, in the request's thread; the
        # database work is handed to the group commit (tropa/core/groupcommit.py).
        ring, case_keys, envelopes = keyring.new_case_keyring()
        case = Case(
            keyring=ring,
            received_at=clock.now(),
            language=language,
            questionnaire_version=q.version,
            sealed_intake=seal_answers(stored, [case_keys.public_key, who.keys.public_key]),
            **coded.as_fields(),
        )
        requester = Requester(case=case, lookup_id=who.lookup_id, public_key=who.keys.public_key)
        index = search_index.first(answers, case_keys.public_key)

        try:
            groupcommit.run(partial(_store_request, ring, envelopes, case, requester, index))
        except IntegrityError:
            # Two codenames with the same lookup id: astronomically unlikely; try again.
            continue
        return codename, case
    raise RuntimeError("could not find a free codename")


def _store_request(
    ring: Keyring,
    envelopes: list[Envelope],
    case: Case,
    requester: Requester | None,
    index: bytes,
) -> None:
    ring.save(force_insert=True)
    Envelope.objects.bulk_create(envelopes)
    # A new request waits for its first answer from the hour it came in.
    case.waiting_since = clock.to_hour(case.received_at)
    case.save(force_insert=True)
    tally.apply(stats.facts(case, labels=[]))
    SearchIndex.objects.create(case=case, full=True, sealed_terms=index)
    if requester is not None:
        requester.save(force_insert=True)


def create_case(answers: dict[str, object], language: str, *, channel: str) -> Case:
    """A request that came by another channel (Telegram): sealed like a web one,
    to the case key only, with no codename. Runs in the caller's transaction."""
    q = questionnaire.load()
    coded = triage.code_answers(q, answers)
    ring, case_keys, envelopes = keyring.new_case_keyring()
    case = Case(
        keyring=ring,
        channel=channel,
        received_at=clock.now(),
        language=language,
        questionnaire_version=q.version,
        sealed_intake=seal_answers(
            {"language": language, "answers": answers}, [case_keys.public_key]
        ),
        **coded.as_fields(),
    )
    _store_request(ring, envelopes, case, None, search_index.first(answers, case_keys.public_key))
    return case


def find_requester(codename: str) -> tuple[Requester, Identity] | None:
    who = identity(codename)
    requester = (
        Requester.objects.select_related("case", "case__keyring")
        .filter(lookup_id=who.lookup_id)
        .exclude(case__status=Status.DELETED)
        .first()
    )
    if requester is None:
        return None
    return requester, who


def send_message(
    requester: Requester, who: Identity, text: str, uploads: list[SealedUpload]
) -> Message:
    """A requester's message (and files), sealed to them and to the case."""
    case = requester.case
    recipients = [case.public_key, who.keys.public_key]
    sealed = vault.seal_to_many(text.encode(), recipients)
    with transaction.atomic():
        message = timeline.append(case, Kind.FROM_REQUESTER, sealed)
        search_index.delta(case, case.public_key, f"m{message.seq}", text)
        for upload in uploads:
            store_upload(upload, case, message, recipients)
        transaction.on_commit(lambda: notify_new_message(case))
    return message


def delete_everything(requester: Requester) -> None:
    """Crypto-shred the case: every copy of its key goes; the rest is noise.

    The sealed rows are deleted too, and the case keeps only its id and
    status, so a coordinator sees that a request was withdrawn.
    """
    delete_case(requester.case)


def delete_case(case: Case) -> None:
    """`delete_everything` for a case, whichever channel the person used."""
    with transaction.atomic():
        case.messages.all().delete()
        case.attachments.all().delete()
        search_index.forget(case)
        # Still counted as a request, with nothing of what the person said:
        # its situation and region group are forgotten like the rest.
        erased = {
            "status": Status.DELETED,
            "situation": Situation.OTHER,
            "region_group": RegionGroup.UNKNOWN,
        }
        Case.objects.filter(pk=case.pk).update(
            **erased,
            sealed_intake=b"",
            priority=0,
            updated_at=clock.now(),
            waiting_since=None,
            **{flag: False for flag in FLAGS},
        )
        with stats.counted(case):
            for name, value in erased.items():
                setattr(case, name, value)
        queue.withdrawn(case)
        case.requesters.all().delete()
        keyring.crypto_shred(case.keyring)
        record(None, Action.REQUESTER_DELETED, case_id=case.pk)
