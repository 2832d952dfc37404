"""Grant, revoke, shred and wipe, on the database's sealed copies."""

from __future__ import annotations

import pytest
from django.db import connection

from tropa import vault
from tropa.accounts.models import Role
from tropa.keyring import actions as keyring
from tropa.keyring.models import Envelope, OrgKeys, RecipientKind
from tropa.testing.factories import create_case_keyring
from tropa.testing.people import NAMED

pytestmark = pytest.mark.django_db


def test_a_new_case_key_opens_through_intake_and_recovery_only(coordinator, consultant, org):
    ring, case_keys = create_case_keyring()
    kinds = set(ring.envelopes.values_list("recipient_kind", flat=True))
    assert kinds == {RecipientKind.INTAKE, RecipientKind.RECOVERY}
    # A coordinator opens it through the intake team key...
    assert keyring.open_keyring(ring, coordinator.staff, coordinator.keys()) == case_keys
    # ...a consultant with no grant cannot.
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(ring, consultant.staff, consultant.keys())
    assert not keyring.can_open(ring, consultant.staff)
    assert keyring.can_open(ring, coordinator.staff)


def test_grant_then_revoke(consultant, org):
    ring, case_keys = create_case_keyring()
    keyring.grant_staff(ring, case_keys, consultant.staff)
    assert keyring.open_keyring(ring, consultant.staff, consultant.keys()) == case_keys
    assert keyring.revoke_staff(ring, consultant.staff) is True
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(ring, consultant.staff, consultant.keys())
    assert keyring.revoke_staff(ring, consultant.staff) is False


def test_a_grant_needs_the_right_opened_key(consultant, org):
    ring, _case_keys = create_case_keyring()
    with pytest.raises(vault.CannotOpen):
        keyring.grant_staff(ring, vault.generate_keypair(), consultant.staff)


def test_one_account_opens_only_its_own_cases(consultant, outsider, org):
    mine, my_keys = create_case_keyring()
    theirs, _ = create_case_keyring()
    keyring.grant_staff(mine, my_keys, consultant.staff)
    keyring.release_from_intake(mine)
    keyring.release_from_intake(theirs)
    assert keyring.open_keyring(mine, consultant.staff, consultant.keys()) == my_keys
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(theirs, consultant.staff, consultant.keys())
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(mine, outsider.staff, outsider.keys())


def test_a_copy_sealed_to_someone_else_does_not_open_with_my_key(consultant, outsider, org):
    ring, case_keys = create_case_keyring()
    envelope = keyring.grant_staff(ring, case_keys, consultant.staff)
    # Even if a row were moved to another account, the seal stays bound to its key.
    Envelope.objects.filter(pk=envelope.pk).update(
        staff=outsider.staff, recipient_public_key=outsider.staff.public_key
    )
    with pytest.raises(vault.CannotOpen):
        keyring.open_keyring(ring, outsider.staff, outsider.keys())


def test_a_tampered_sealed_copy_does_not_open(consultant, org):
    ring, case_keys = create_case_keyring()
    envelope = keyring.grant_staff(ring, case_keys, consultant.staff)
    sealed = bytearray(envelope.sealed_secret)
    sealed[-1] ^= 1
    Envelope.objects.filter(pk=envelope.pk).update(sealed_secret=bytes(sealed))
    with pytest.raises(vault.CannotOpen):
        keyring.open_keyring(ring, consultant.staff, consultant.keys())


def test_after_triage_the_intake_key_no_longer_opens_a_case(coordinator, org):
    ring, _ = create_case_keyring()
    keyring.release_from_intake(ring)
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(ring, coordinator.staff, coordinator.keys())


def test_crypto_shred_leaves_nothing_that_opens(coordinator, consultant, org):
    ring, case_keys = create_case_keyring()
    keyring.grant_staff(ring, case_keys, consultant.staff)
    secret_message = vault.seal_case_message(case_keys.public_key, "shred me")
    keyring.crypto_shred(ring)
    assert not ring.envelopes.exists()
    ring.refresh_from_db()
    assert ring.shredded_at is not None
    for person in (coordinator, consultant):
        with pytest.raises(keyring.NoAccess):
            keyring.open_keyring(ring, person.staff, person.keys())
    # The recovery key cannot bring it back either.
    assert keyring.restore_with_recovery(consultant.staff, org) == 0
    assert secret_message  # the ciphertext may remain; no key to open it does


@pytest.mark.django_db(transaction=True)
def test_crypto_shred_overwrites_the_sealed_copies_on_disk(make_person):
    """Deleted rows must not linger in free pages or in the write-ahead log."""
    if connection.vendor != "sqlite":
        pytest.skip("secure_delete and WAL checkpoints are SQLite's; PostgreSQL: see the docs")
    from pathlib import Path

    consultant = make_person(*NAMED["consultant"])
    ring, case_keys = create_case_keyring()
    sealed = bytes(keyring.grant_staff(ring, case_keys, consultant.staff).sealed_secret)
    name = Path(connection.settings_dict["NAME"])
    files = [p for p in name.parent.glob(name.name + "*") if p.stat().st_size]

    def on_disk() -> bool:
        return any(sealed in p.read_bytes() for p in files)

    assert on_disk()  # the search works
    keyring.crypto_shred(ring)
    assert not on_disk()


def test_panic_wipe_deletes_every_copy_including_the_intake_key(coordinator, consultant, org):
    ring, case_keys = create_case_keyring()
    keyring.grant_staff(ring, case_keys, consultant.staff)
    assert keyring.panic_wipe() > 0
    assert not Envelope.objects.exists()
    with pytest.raises(keyring.NoAccess):
        keyring.open_intake_key(coordinator.staff, coordinator.keys())
    assert OrgKeys.load().intake.shredded_at is not None


def test_regrant_shares_only_what_the_granter_can_open(admin, make_person, org):
    from tropa.accounts import actions

    lawyer = make_person("lawyer", Role.CONSULTANT)
    colleague = make_person("colleague", Role.CONSULTANT)
    shared, shared_keys = create_case_keyring()
    private, private_keys = create_case_keyring()
    for ring, keys in ((shared, shared_keys), (private, private_keys)):
        keyring.release_from_intake(ring)
        keyring.grant_staff(ring, keys, lawyer.staff)
    keyring.grant_staff(shared, shared_keys, colleague.staff)
    actions.reset_password(lawyer.staff, admin.staff)
    # Nothing can be sealed to someone whose keys are not made yet.
    assert keyring.regrant(lawyer.staff, colleague.staff, colleague.keys(), with_intake=True) == 0
    new_keys = actions.choose_first_password(lawyer.staff, "the lawyer's own password 3")
    assert keyring.regrant(lawyer.staff, colleague.staff, colleague.keys(), with_intake=True) == 1
    lawyer.staff.refresh_from_db()
    assert keyring.open_keyring(shared, lawyer.staff, new_keys) == shared_keys
    with pytest.raises(keyring.NoAccess):
        keyring.open_keyring(private, lawyer.staff, new_keys)
    # The recovery key restores the rest.
    assert keyring.restore_with_recovery(lawyer.staff, org) == 1
    assert keyring.open_keyring(private, lawyer.staff, new_keys) == private_keys
