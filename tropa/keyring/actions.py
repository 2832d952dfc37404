"""Grant, revoke, open, re-grant and shred sealed keys.

Every function here takes the keys it needs to open something as an argument;
nothing is ever opened with a key found lying around. Callers write the audit
entries, since they know why the key moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.db import connection, transaction

from tropa import vault
from tropa.core import clock
from tropa.keyring.models import Envelope, Keyring, OrgKeys, Purpose, RecipientKind


class Staff(Protocol):
    """A staff account as the keyring sees it (tropa.accounts is a layer above)."""

    pk: Any
    public_key: Any


class NoAccess(Exception):
    """This person holds no usable copy of that key."""


class NoKeyYet(Exception):
    """This person has no key pair yet (before their own first password)."""


def create_org_keys() -> tuple[vault.KeyPair, vault.KeyPair]:
    """Create the org recovery key and the intake team key. Returns both pairs.

    The caller shows the recovery secret once and forgets it; only its public
    half is stored. The intake secret is sealed to the recovery key here and to
    coordinators by `grant_staff`.
    """
    recovery = vault.generate_keypair()
    intake = vault.generate_keypair()
    with transaction.atomic():
        ring = Keyring.objects.create(purpose=Purpose.INTAKE, public_key=intake.public_key)
        _seal(ring, intake, RecipientKind.RECOVERY, recovery.public_key)
        OrgKeys.objects.create(recovery_public_key=recovery.public_key, intake=ring)
    forget_org_public_keys()
    return recovery, intake


_org_public_keys: tuple[bytes, bytes] | None = None


def org_public_keys() -> tuple[bytes, bytes]:
    """(intake, recovery) public keys. They never change once made, so each
    process reads them once; intake is the busiest path under a flood."""
    global _org_public_keys
    if _org_public_keys is None:
        org = OrgKeys.load()
        _org_public_keys = (bytes(org.intake.public_key), bytes(org.recovery_public_key))
    return _org_public_keys


def forget_org_public_keys() -> None:
    """Tests make a new organisation per test."""
    global _org_public_keys
    _org_public_keys = None


def new_case_keyring() -> tuple[Keyring, vault.KeyPair, list[Envelope]]:
    """A new case key pair and its copies for the intake team and recovery keys,
    not yet saved: the caller saves the keyring, then the envelopes."""
    intake_public, recovery_public = org_public_keys()
    keys = vault.generate_keypair()
    ring = Keyring(purpose=Purpose.CASE, public_key=keys.public_key)
    envelopes = [
        _envelope(ring, keys, RecipientKind.INTAKE, intake_public),
        _envelope(ring, keys, RecipientKind.RECOVERY, recovery_public),
    ]
    return ring, keys, envelopes


def _envelope(
    ring: Keyring,
    keys: vault.KeyPair,
    kind: str,
    recipient_public: bytes,
    staff: Staff | None = None,
) -> Envelope:
    return Envelope(
        keyring=ring,
        recipient_kind=kind,
        staff=staff,
        recipient_public_key=recipient_public,
        sealed_secret=vault.seal_secret_key(recipient_public, keys),
    )


def _seal(
    ring: Keyring,
    keys: vault.KeyPair,
    kind: str,
    recipient_public: bytes,
    staff: Staff | None = None,
) -> Envelope:
    envelope = _envelope(ring, keys, kind, recipient_public, staff)
    envelope.save()
    return envelope


def open_keyring(ring: Keyring, staff: Staff, staff_keys: vault.KeyPair) -> vault.KeyPair:
    """Open a keyring with a staff member's own key, or through the intake key.

    Raises NoAccess when the staff member holds no current copy.
    """
    own = ring.envelopes.filter(
        recipient_kind=RecipientKind.STAFF, staff=staff, recipient_public_key=staff.public_key
    ).first()
    if own is not None:
        return vault.open_sealed_secret_key(
            staff_keys, bytes(own.sealed_secret), bytes(ring.public_key)
        )
    if ring.purpose == Purpose.CASE:
        via_intake = ring.envelopes.filter(recipient_kind=RecipientKind.INTAKE).first()
        if via_intake is not None:
            intake = open_intake_key(staff, staff_keys)
            return vault.open_sealed_secret_key(
                intake, bytes(via_intake.sealed_secret), bytes(ring.public_key)
            )
    raise NoAccess


def open_keyrings(
    rings: list[Keyring], staff: Staff, staff_keys: vault.KeyPair
) -> dict[object, vault.KeyPair]:
    """Several keyrings at once, by id: one query for the staff member's own
    copies, one for the intake copies of the rest (the intake key opened once).
    Rings they cannot open are left out."""
    own = {
        envelope.keyring_id: envelope
        for envelope in Envelope.objects.filter(
            keyring__in=rings,
            recipient_kind=RecipientKind.STAFF,
            staff=staff,
            recipient_public_key=staff.public_key,
        )
    }
    rest = [ring for ring in rings if ring.pk not in own and ring.purpose == Purpose.CASE]
    via_intake = {}
    intake = None
    if rest:
        via_intake = {
            envelope.keyring_id: envelope
            for envelope in Envelope.objects.filter(
                keyring__in=rest, recipient_kind=RecipientKind.INTAKE
            )
        }
        if via_intake:
            try:
                intake = open_intake_key(staff, staff_keys)
            except NoAccess:
                intake = None
    opened = {}
    for ring in rings:
        if ring.pk in own:
            owner, envelope = staff_keys, own[ring.pk]
        elif intake is not None and ring.pk in via_intake:
            owner, envelope = intake, via_intake[ring.pk]
        else:
            continue
        try:
            opened[ring.pk] = vault.open_sealed_secret_key(
                owner, bytes(envelope.sealed_secret), bytes(ring.public_key)
            )
        except vault.CannotOpen:
            continue
    return opened


def open_intake_key(staff: Staff, staff_keys: vault.KeyPair) -> vault.KeyPair:
    return open_keyring(OrgKeys.load().intake, staff, staff_keys)


def can_open(ring: Keyring, staff: Staff) -> bool:
    """Whether the staff member holds a current copy (without opening anything)."""
    envelopes = Envelope.objects.filter(
        recipient_kind=RecipientKind.STAFF, staff=staff, recipient_public_key=staff.public_key
    )
    if envelopes.filter(keyring=ring).exists():
        return True
    return (
        ring.purpose == Purpose.CASE
        and ring.envelopes.filter(recipient_kind=RecipientKind.INTAKE).exists()
        and envelopes.filter(keyring=OrgKeys.load().intake).exists()
    )


def grant_staff(ring: Keyring, opened: vault.KeyPair, staff: Staff) -> Envelope:
    """Seal an opened keyring's secret to a staff member's current public key."""
    if not bytes(staff.public_key):
        raise NoKeyYet
    if opened.public_key != bytes(ring.public_key):
        raise vault.CannotOpen
    with transaction.atomic():
        ring.envelopes.filter(recipient_kind=RecipientKind.STAFF, staff=staff).delete()
        return _seal(ring, opened, RecipientKind.STAFF, bytes(staff.public_key), staff)


def revoke_staff(ring: Keyring, staff: Staff) -> bool:
    """Delete a staff member's copy. Returns whether there was one."""
    deleted, _ = ring.envelopes.filter(recipient_kind=RecipientKind.STAFF, staff=staff).delete()
    return deleted > 0


def release_from_intake(ring: Keyring) -> None:
    """After triage a case is no longer readable through the intake team key."""
    ring.envelopes.filter(recipient_kind=RecipientKind.INTAKE).delete()


def crypto_shred(ring: Keyring) -> None:
    """Delete every sealed copy of the keyring's secret: its data becomes noise."""
    with transaction.atomic():
        ring.envelopes.all().delete()
        ring.shredded_at = clock.now()
        ring.save(update_fields=["shredded_at"])
        transaction.on_commit(_checkpoint)


def panic_wipe() -> int:
    """Delete every sealed copy of every key, the intake key's included, at once."""
    with transaction.atomic():
        deleted, _ = Envelope.objects.all().delete()
        Keyring.objects.update(shredded_at=clock.now())
        transaction.on_commit(_checkpoint)
    return deleted


def _checkpoint() -> None:
    """On SQLite, fold the WAL into the database so deleted pages are overwritten.

    secure_delete (set on every connection) zeroes freed pages; the checkpoint
    makes sure the old copies in the write-ahead log go too.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Best effort: a busy reader can delay it; SQLite checkpoints again itself.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def stale_envelopes(staff: Staff) -> Iterable[Envelope]:
    """Copies sealed to a key the staff member no longer has (after an admin reset)."""
    return (
        Envelope.objects.filter(recipient_kind=RecipientKind.STAFF, staff=staff)
        .exclude(recipient_public_key=staff.public_key)
        .select_related("keyring")
    )


def lacks_intake_copy(staff: Staff) -> bool:
    """Whether the staff member holds no current copy of the intake team key."""
    intake = OrgKeys.load().intake
    return not Envelope.objects.filter(
        keyring=intake, staff=staff, recipient_public_key=staff.public_key
    ).exists()


def regrant(staff: Staff, granter: Staff, granter_keys: vault.KeyPair, *, with_intake: bool) -> int:
    """Re-seal to `staff`'s current key whatever they lost that `granter` can open.

    Covers stale copies after an admin reset, and with `with_intake` the
    intake key (for a coordinator who has none yet). Returns how many keys were
    sealed (none to someone who has no key pair yet).
    """
    if not bytes(staff.public_key):
        return 0
    count = 0
    with transaction.atomic():
        for envelope in list(stale_envelopes(staff)):
            try:
                opened = open_keyring(envelope.keyring, granter, granter_keys)
            except NoAccess:
                continue
            grant_staff(envelope.keyring, opened, staff)
            count += 1
        if with_intake and lacks_intake_copy(staff):
            intake_ring = OrgKeys.load().intake
            try:
                opened = open_keyring(intake_ring, granter, granter_keys)
            except NoAccess:
                pass
            else:
                grant_staff(intake_ring, opened, staff)
                count += 1
    return count


def restore_one(ring: Keyring, staff: Staff, recovery: vault.KeyPair) -> int:
    """Seal one keyring to `staff` with the org recovery key (1), or 0 if the
    keyring has no recovery copy. Raises vault.CannotOpen for another key."""
    if recovery.public_key != bytes(OrgKeys.load().recovery_public_key):
        raise vault.CannotOpen
    via_recovery = ring.envelopes.filter(recipient_kind=RecipientKind.RECOVERY).first()
    if via_recovery is None:
        return 0
    opened = vault.open_sealed_secret_key(
        recovery, bytes(via_recovery.sealed_secret), bytes(ring.public_key)
    )
    grant_staff(ring, opened, staff)
    return 1


def restore_with_recovery(
    staff: Staff, recovery: vault.KeyPair, *, with_intake: bool = False
) -> int:
    """Re-seal with the org recovery key everything `staff` lost or is owed.

    Raises vault.CannotOpen when `recovery` is not this organisation's key.
    """
    org = OrgKeys.load()
    if recovery.public_key != bytes(org.recovery_public_key):
        raise vault.CannotOpen
    if not bytes(staff.public_key):
        raise NoKeyYet
    count = 0
    with transaction.atomic():
        targets = [envelope.keyring for envelope in stale_envelopes(staff)]
        if with_intake and lacks_intake_copy(staff):
            targets.append(org.intake)
        for ring in targets:
            via_recovery = ring.envelopes.filter(recipient_kind=RecipientKind.RECOVERY).first()
            if via_recovery is None:
                continue
            opened = vault.open_sealed_secret_key(
                recovery, bytes(via_recovery.sealed_secret), bytes(ring.public_key)
            )
            grant_staff(ring, opened, staff)
            count += 1
    return count
