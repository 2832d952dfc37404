"""Triage: new requests accepted into cases, merged into one, or discarded.

Each action claims the request with a conditional UPDATE, so of two
coordinators acting on it at once only one wins; keys are opened only with the
acting coordinator's own keys, and every action writes its audit entry.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from tropa import vault
from tropa.accounts.actions import default_team
from tropa.accounts.models import Role, Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import aliases, hooks, search_index, stats, timeline
from tropa.cases.actions import NotAllowed, open_case, requester_keys
from tropa.cases.events import CaseEvent, record_event
from tropa.cases.models import Case, Status
from tropa.core import clock
from tropa.keyring import actions as keyring


def accept(case: Case, coordinator: Staff, coordinator_keys: vault.KeyPair) -> Case:
    """Triage a new request into a case of the coordinator's team."""
    if case.status != Status.NEW:
        raise NotAllowed
    keys = open_case(case, coordinator, coordinator_keys)
    team = coordinator.team or default_team()
    with transaction.atomic():
        triaged = {
            "status": Status.TRIAGED,
            "team": team,
            "alias": aliases.new_alias(),
            "triaged_at": clock.now(),
            "updated_at": clock.now(),
        }
        # A conditional UPDATE claims the request: of two coordinators accepting,
        # discarding or merging it at once, only one wins.
        if not Case.objects.filter(pk=case.pk, status=Status.NEW).update(**triaged):
            raise NotAllowed
        with stats.counted(case):
            for name, value in triaged.items():
                setattr(case, name, value)
        for member in Staff.objects.filter(team=team, role=Role.COORDINATOR, is_active=True):
            if member.has_keys:  # the others get it with "Share my keys again" later
                keyring.grant_staff(case.keyring, keys, member)
        keyring.release_from_intake(case.keyring)
        record_event(case, keys.public_key, CaseEvent.ACCEPTED, coordinator)
        record(coordinator, Action.CASE_ACCEPTED, case_id=case.pk)
    return case


def discard(cases: list[Case], coordinator: Staff) -> int:
    """Mark new requests as junk. They can be restored until the undo window ends;
    then the watcher crypto-shreds them (shred_discarded)."""
    count = 0
    with transaction.atomic():
        for case in cases:
            updated = Case.objects.filter(pk=case.pk, status=Status.NEW).update(
                status=Status.DISCARDED, discarded_at=clock.now(), updated_at=clock.now()
            )
            if updated:
                with stats.counted(case):
                    case.status = Status.DISCARDED
                record(coordinator, Action.CASE_DISCARDED, case_id=case.pk)
                count += 1
    return count


def undo_discard(case: Case, coordinator: Staff) -> bool:
    limit = clock.now() - timedelta(minutes=settings.TROPA_DISCARD_UNDO_MINUTES)
    with transaction.atomic():
        restored = Case.objects.filter(
            pk=case.pk, status=Status.DISCARDED, discarded_at__gte=limit
        ).update(status=Status.NEW, discarded_at=None, updated_at=clock.now())
        if restored:
            with stats.counted(case):
                case.status = Status.NEW
            record(coordinator, Action.CASE_RESTORED, case_id=case.pk)
    return bool(restored)


def shred_discarded() -> int:
    """Watcher job: crypto-shred discarded requests whose undo window has passed."""
    limit = clock.now() - timedelta(minutes=settings.TROPA_DISCARD_UNDO_MINUTES)
    count = 0
    for case_id in list(
        Case.objects.filter(status=Status.DISCARDED, discarded_at__lt=limit)
        .exclude(keyring__shredded_at__isnull=False)
        .values_list("pk", flat=True)[:500]
    ):
        with transaction.atomic():
            case = Case.objects.select_related("keyring").get(pk=case_id)
            case.messages.all().delete()
            case.attachments.all().delete()
            case.requesters.all().delete()
            search_index.forget(case)
            Case.objects.filter(pk=case.pk).update(sealed_intake=b"")
            keyring.crypto_shred(case.keyring)
            count += 1
    return count


def merge(source: Case, target: Case, coordinator: Staff, coordinator_keys: vault.KeyPair) -> Case:
    """Fold a new request into an existing case of the same person.

    The request's answers and messages are sealed again to the target case;
    its codename then opens the target case; the request's own key is shredded.
    """
    if source.status != Status.NEW or source.pk == target.pk:
        raise NotAllowed
    source_keys = open_case(source, coordinator, coordinator_keys)
    target_keys = open_case(target, coordinator, coordinator_keys)
    with transaction.atomic():
        # Claimed first, as in accept: a request is merged, accepted or discarded once.
        claimed = Case.objects.filter(pk=source.pk, status=Status.NEW).update(
            status=Status.MERGED, merged_into=target, updated_at=clock.now()
        )
        if not claimed:
            raise NotAllowed
        with stats.counted(source):
            source.status = Status.MERGED
        source.requesters.update(case=target)
        for hook in hooks.AFTER_MERGE:
            hook(source, source_keys, target, target_keys)
        recipients = [target_keys.public_key, *requester_keys(target)]
        intake = json.loads(vault.open_from_many(source_keys, bytes(source.sealed_intake)))
        record_event(target, target_keys.public_key, CaseEvent.MERGED, coordinator, intake=intake)
        for message in source.messages.all():
            body = vault.open_from_many(source_keys, bytes(message.sealed_body))
            moved = timeline.append(
                target, message.kind, vault.seal_to_many(body, recipients), message.author
            )
            for attachment in message.attachments.all():
                file_key = vault.open_from_many(source_keys, bytes(attachment.sealed_file_key))
                meta = vault.open_from_many(source_keys, bytes(attachment.sealed_meta))
                attachment.case = target
                attachment.message = moved
                attachment.sealed_file_key = vault.seal_to_many(file_key, recipients)
                attachment.sealed_meta = vault.seal_to_many(meta, recipients)
                attachment.save()
        source.messages.all().delete()
        # The target's index is built afresh at its next search, merged words and all.
        search_index.forget(source)
        search_index.forget(target)
        Case.objects.filter(pk=source.pk).update(
            status=Status.MERGED, merged_into=target, sealed_intake=b"", updated_at=clock.now()
        )
        keyring.crypto_shred(source.keyring)
        record(coordinator, Action.CASE_MERGED, case_id=target.pk)
    return target
