"""Every change to a staff account, each writing its audit entry."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa import vault
from tropa.accounts.keys import needs_intake_grant
from tropa.accounts.models import DEFAULT_TEAM_NAME, Profession, Role, Staff, Team
from tropa.accounts.signin import clear_throttle, normalise_username, totp_device
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.core import clock
from tropa.keyring import actions as keyring

RECOVERY_CODE_COUNT = 10
DEFAULT_TEAM = DEFAULT_TEAM_NAME
_PASSPHRASE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105 (no l, o, 0, 1)


def default_team() -> Team:
    """The team new accounts and requests fall into when none is chosen."""
    team, _created = Team.objects.get_or_create(name=DEFAULT_TEAM)
    return team


def generate_temporary_password() -> str:
    """Five groups of five: about 125 bits, easy to read aloud or type."""
    groups = ["".join(secrets.choice(_PASSPHRASE_ALPHABET) for _ in range(5)) for _ in range(5)]
    return "-".join(groups)


def create_staff(
    *,
    username: str,
    password: str,
    role: Role | str,
    actor: Staff | None,
    must_change_password: bool = True,
    language: str = "ru",
    team: Team | None = None,
) -> Staff:
    """A new account.

    With a temporary password (`must_change_password`, the default) the account
    gets no key pair yet: it is created when the person chooses their own
    password (`choose_first_password`), so nothing is ever sealed to a key that
    a password someone else saw could open. With a password the person chose
    (tests, the demo) the key pair is wrapped under it at once.

    Raises django.core.exceptions.ValidationError for a bad username or password.
    """
    staff = Staff(
        username=normalise_username(username),
        role=role,
        must_change_password=must_change_password,
        language=language,
        team=team or default_team(),
    )
    validate_password(password, staff)
    if must_change_password:
        staff.forget_keys()
    else:
        _keys, wrapped = vault.create_staff_key(password, settings.TROPA_KDF_LIMITS)
        staff.store_wrapped_key(wrapped)
    staff.set_password(password)
    staff.full_clean()
    with transaction.atomic():
        staff.save(force_insert=True)
        record(actor, Action.STAFF_CREATED, target=staff)
    return staff


def choose_first_password(staff: Staff, new_password: str) -> vault.KeyPair:
    """The person's own first password (or the first after an admin reset): their
    key pair is created now, wrapped under it and nothing else. Returns it."""
    validate_password(new_password, staff)
    keys, wrapped = vault.create_staff_key(new_password, settings.TROPA_KDF_LIMITS)
    with transaction.atomic():
        staff.store_wrapped_key(wrapped)
        staff.keys_created_at = clock.now()
        staff.set_password(new_password)
        staff.must_change_password = False
        staff.save()
        record(staff, Action.PASSWORD_CHANGED, target=staff)
    return keys


def change_password(staff: Staff, keys: vault.KeyPair, new_password: str) -> None:
    """Same key pair, wrapped again under the new password.

    The caller has checked the old password (or the session holds the keys).
    """
    validate_password(new_password, staff)
    wrapped = vault.rewrap_staff_key(keys, new_password, settings.TROPA_KDF_LIMITS)
    with transaction.atomic():
        staff.store_wrapped_key(wrapped)
        staff.set_password(new_password)
        staff.must_change_password = False
        staff.save()
        record(staff, Action.PASSWORD_CHANGED, target=staff)


def reset_password(staff: Staff, actor: Staff) -> str:
    """An admin reset: a new temporary password, and no key pair until the person
    chooses their own password.

    The old private key is gone with the old wrap, so the copies of case keys
    sealed to it go stale; after the person's new password, someone who can
    open those cases re-grants them (`keyring.regrant`), or an admin restores
    them with the recovery key (`tropa recover`). Returns the temporary
    password to hand over.
    """
    password = generate_temporary_password()
    with transaction.atomic():
        staff.forget_keys()
        staff.set_password(password)
        staff.must_change_password = True
        staff.save()
        end_sessions(staff)
        record(actor, Action.PASSWORD_RESET, target=staff)
    clear_throttle(staff.username)
    return password


def enrol_two_factor(staff: Staff, device: TOTPDevice) -> list[str]:
    """Confirm the TOTP device and issue fresh one-time recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=staff).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(staff)
        record(staff, Action.TWO_FACTOR_ENROLLED, target=staff)
    return codes


def renew_recovery_codes(staff: Staff) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(staff)
        record(staff, Action.RECOVERY_CODES_RENEWED, target=staff)
    return codes


def _new_recovery_codes(staff: Staff) -> list[str]:
    StaticDevice.objects.filter(user=staff).delete()
    device = StaticDevice.objects.create(user=staff, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def reset_two_factor(staff: Staff, actor: Staff) -> None:
    """Remove every second factor; the person enrols again at next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=staff).delete()
        StaticDevice.objects.filter(user=staff).delete()
        end_sessions(staff)
        record(actor, Action.TWO_FACTOR_RESET, target=staff)


def set_active(staff: Staff, active: bool, actor: Staff) -> None:
    with transaction.atomic():
        staff.is_active = active
        staff.save(update_fields=["is_active"])
        if not active:
            end_sessions(staff)
        record(actor, Action.STAFF_ENABLED if active else Action.STAFF_DISABLED, target=staff)


def set_profession(staff: Staff, profession: str, actor: Staff) -> None:
    """Lawyer or psychologist (or neither): routes legal and psychological work."""
    if profession not in Profession.values:
        raise ValueError(profession)
    with transaction.atomic():
        staff.profession = profession
        staff.save(update_fields=["profession"])
        record(actor, Action.PROFESSION_SET, target=staff)


def unlock(staff: Staff, actor: Staff) -> None:
    clear_throttle(staff.username)
    record(actor, Action.STAFF_UNLOCKED, target=staff)


def restore_access(staff: Staff, recovery: vault.KeyPair) -> int:
    with transaction.atomic():
        count = keyring.restore_with_recovery(
            staff, recovery, with_intake=needs_intake_grant(staff)
        )
        record(None, Action.ACCESS_RESTORED, target=staff)
    return count


def end_sessions(staff: Staff) -> None:
    """Delete every server-side session of this account (and with it the held keys)."""
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(staff.pk):
            session.delete()


def create_team(name: str, *, actor: Staff) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name)
        record(actor, Action.TEAM_CREATED)
    return team


def start_two_factor(staff: Staff) -> TOTPDevice:
    """The unconfirmed authenticator device a person enrols, made on first visit."""
    device = totp_device(staff, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=False)
    return device


def set_notifications(staff: Staff, *, email: str, by_email: bool) -> None:
    with transaction.atomic():
        staff.email = email
        staff.notify_by_email = by_email
        staff.save(update_fields=["email", "notify_by_email"])
        record(staff, Action.SETTINGS_CHANGED, target=staff)


def set_speaks(staff: Staff, codes: list[str]) -> None:
    """The languages a person can talk to requesters in (not worth an audit entry)."""
    staff.speaks = sorted(set(codes))
    staff.save(update_fields=["speaks"])


def set_language(staff: Staff, language: str) -> None:
    """The language of a person's pages and notifications (not worth an audit entry)."""
    staff.language = language
    staff.save(update_fields=["language"])


def set_team_targets(
    team: Team, *, first_hours: int, next_hours: int, stale_days: int, actor: Staff
) -> None:
    """A team's response targets: the first answer, each later one, and "stale"."""
    with transaction.atomic():
        team.first_response_hours = first_hours
        team.next_response_hours = next_hours
        team.stale_after_days = stale_days
        team.save(update_fields=["first_response_hours", "next_response_hours", "stale_after_days"])
        record(actor, Action.TEAM_TARGETS_CHANGED)
