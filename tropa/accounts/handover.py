"""Handover notes: what a duty coordinator leaves for whoever is on duty next.

A note may name cases and people, so it is sealed like a case: a key pair of
its own, the text sealed to it, and a copy of its secret sealed to each
coordinator of the team who has keys when it is written (the writer
included). A colleague marked in danger loses their copies with every other
(tropa/cases/danger.py); a coordinator who joins later does not read older
notes (they are about yesterday's shift, not a record). The watcher shreds
notes after TROPA_HANDOVER_DAYS: envelopes deleted, row deleted.

Where the notes are read (`/staff/roster/handover/`) they are opened with the
reader's key; the home page counts them from plaintext metadata only (who
wrote, when, whether I hold a copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from tropa import vault
from tropa.accounts.models import HandoverNote, Role, Staff, Team
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.core import clock
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, Keyring, Purpose, RecipientKind

MAX_LENGTH = 4000
# Shown on the roster page and counted on the home page for this long.
RECENT = timedelta(hours=72)


class Refused(ValueError):
    """Not a coordinator of a team, or an empty or overlong note."""


@dataclass(frozen=True)
class Read:
    author: str
    written_at: datetime
    text: str | None  # None: the stored note does not open (altered)


def readers(team: Team) -> list[Staff]:
    return [
        person
        for person in Staff.objects.filter(team=team, role=Role.COORDINATOR, is_active=True)
        if person.has_keys
    ]


def write(author: Staff, text: str) -> HandoverNote:
    text = text.strip()
    if author.role != Role.COORDINATOR or author.team is None or not author.has_keys:
        raise Refused
    if not text or len(text) > MAX_LENGTH:
        raise Refused
    keys = vault.generate_keypair()
    with transaction.atomic():
        ring = Keyring.objects.create(purpose=Purpose.HANDOVER, public_key=keys.public_key)
        for person in readers(author.team):
            keyring.grant_staff(ring, keys, person)
        note = HandoverNote.objects.create(
            team=author.team,
            author=author,
            keyring=ring,
            sealed_text=vault.seal_text(keys.public_key, text),
        )
        record(author, Action.HANDOVER_WRITTEN, target=author)
    return note


def _mine(staff: Staff) -> QuerySet[HandoverNote]:
    held = Envelope.objects.filter(
        recipient_kind=RecipientKind.STAFF, staff=staff, recipient_public_key=staff.public_key
    ).values("keyring_id")
    return HandoverNote.objects.filter(
        team_id=staff.team_id, keyring_id__in=held, written_at__gte=clock.now() - RECENT
    )


def recent_count(staff: Staff) -> tuple[int, HandoverNote | None]:
    """How many recent notes by others this person can read, and the newest:
    plaintext metadata only (for the home page)."""
    notes = _mine(staff).exclude(author=staff).select_related("author").order_by("-written_at")
    return notes.count(), notes.first()


def read_recent(staff: Staff, keys: vault.KeyPair) -> list[Read]:
    found = []
    for note in _mine(staff).select_related("author", "keyring").order_by("-written_at"):
        text: str | None
        try:
            opened = keyring.open_keyring(note.keyring, staff, keys)
            text = vault.open_text(opened, bytes(note.sealed_text))
        except (vault.VaultError, keyring.NoAccess):
            text = None
        found.append(Read(note.author.username, note.written_at, text))
    return found


def shred_old() -> int:
    """Watcher job: shred the notes older than TROPA_HANDOVER_DAYS. Each note
    is claimed by deleting its row, so two watchers never shred one twice."""
    cutoff = clock.now() - timedelta(days=settings.TROPA_HANDOVER_DAYS)
    shredded = 0
    for note_id, ring_id in HandoverNote.objects.filter(written_at__lt=cutoff).values_list(
        "pk", "keyring_id"
    )[:500]:
        with transaction.atomic():
            if not HandoverNote.objects.filter(pk=note_id).delete()[0]:
                continue  # the other watcher took it
            keyring.crypto_shred(Keyring.objects.get(pk=ring_id))
            shredded += 1
    return shredded
