"""Staff files on a case: sealed while they arrive, read back with the case key.

The upload side reuses the requester's machinery (tropa.cases.uploads): the
view swaps in SealingUploadHandler, so a file is ciphertext from its first
byte; here it is stored with the timeline entry it belongs to.

- Files sent with a reply are sealed to the case key and the requester keys,
  so the requester downloads them in the portal.
- Files added for the team (an internal note) are sealed to the case key only.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from tropa import vault
from tropa.accounts.models import Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import actions
from tropa.cases.models import Attachment, Case, Message
from tropa.cases.uploads import SealedUpload, open_attachment, store_upload


def _attach(
    case: Case, message: Message, uploads: list[SealedUpload], recipients: list[bytes], by: Staff
) -> list[Attachment]:
    attachments = []
    for upload in uploads:
        attachments.append(store_upload(upload, case, message, recipients))
        record(by, Action.FILE_ADDED, case_id=case.pk)
    return attachments


def reply_with_files(
    case: Case, author: Staff, author_keys: vault.KeyPair, text: str, uploads: list[SealedUpload]
) -> Message:
    """A reply (actions.reply) and its files, which the requester can open too."""
    recipients = [case.public_key, *actions.requester_keys(case)]
    return actions.reply(
        case,
        author,
        author_keys,
        text,
        attach=lambda message: _attach(case, message, uploads, recipients, author),
    )


def note_with_files(
    case: Case, author: Staff, author_keys: vault.KeyPair, text: str, uploads: list[SealedUpload]
) -> Message:
    """An internal note (actions.note) and its files, for the case key only."""
    with transaction.atomic():
        message = actions.note(case, author, author_keys, text)
        _attach(case, message, uploads, [case.public_key], author)
    return message


def read_file(
    case: Case, attachment: Attachment, case_keys: vault.KeyPair, reader: Staff
) -> tuple[dict[str, Any], bytes]:
    """Decrypt a file of the case (vault.CannotOpen if it is not sealed to the case)."""
    if attachment.case_id != case.pk:
        raise vault.CannotOpen
    meta, data = open_attachment(attachment, case_keys)
    record(reader, Action.FILE_READ, case_id=case.pk)
    return meta, data


def file_meta(attachment: Attachment, case_keys: vault.KeyPair) -> dict[str, Any] | None:
    """Name, type and size of a file, for the timeline; None if it cannot be opened."""
    try:
        meta = json.loads(vault.open_from_many(case_keys, bytes(attachment.sealed_meta)))
    except (vault.CannotOpen, ValueError):
        return None
    return {"id": attachment.pk, **meta}
