"""Password, two-factor and throttling: the whole decision to let someone in."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa import vault
from tropa.accounts import duress
from tropa.accounts.models import LoginThrottle, Staff
from tropa.core import clock

MAX_LOCK = timedelta(hours=24)


class SignInState(enum.Enum):
    OK = "ok"
    NEEDS_ENROLMENT = "needs_enrolment"
    FAILED = "failed"
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInState
    staff: Staff | None = None
    keys: vault.KeyPair | None = None
    device: TOTPDevice | StaticDevice | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _throttle_key(username: str) -> str:
    return vault.keyed_hash(settings.TROPA_PEPPER, b"login-throttle", username.encode()).hex()


def is_locked(username: str) -> bool:
    row = LoginThrottle.objects.filter(key=_throttle_key(username)).first()
    return bool(row and row.locked_until and row.locked_until > clock.now())


def _record_failure(username: str) -> None:
    limit = settings.TROPA_LOGIN_FAILURES_BEFORE_LOCK
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            key=_throttle_key(username)
        )
        row.failures += 1
        row.last_failure_at = clock.now()
        if row.failures >= limit:
            # Each lock after the first doubles, up to a day.
            doublings = min(row.failures - limit, 10)
            lock = timedelta(minutes=settings.TROPA_LOGIN_LOCK_MINUTES) * (2**doublings)
            row.locked_until = clock.now() + min(lock, MAX_LOCK)
        row.save()


def clear_throttle(username: str) -> None:
    LoginThrottle.objects.filter(key=_throttle_key(username)).delete()


def totp_device(staff: Staff, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=staff, confirmed=confirmed).first()


def has_two_factor(staff: Staff) -> bool:
    return TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def _verify_second_factor(staff: Staff, code: str) -> TOTPDevice | StaticDevice | None:
    code = "".join(code.split()).lower()
    if not code:
        return None
    device = totp_device(staff)
    if device is not None and code.isdigit() and device.verify_token(code):
        return device
    recovery = StaticDevice.objects.filter(user=staff, confirmed=True).first()
    if recovery is not None and recovery.verify_token(code):
        return recovery
    return None


def sign_in(username: str, password: str, code: str) -> SignInResult:
    """Decide a sign-in. Every failure looks the same to the person trying.

    The duress password (tropa/accounts/duress.py) is a success that opens a
    decoy; it spends the same work as a real sign-in: two password checks and
    one key derivation."""
    username = normalise_username(username)
    if is_locked(username):
        return SignInResult(SignInState.LOCKED)
    staff = Staff.objects.filter(username=username, is_active=True).first()
    if staff is not None and staff.expires_at is not None and staff.expires_at <= clock.now():
        staff = None  # a temporary account past its time: as if it did not exist
    if staff is None:
        make_password(password)  # spend the same time as a real check
        make_password(password)  # and as the duress check
        _record_failure(username)
        return SignInResult(SignInState.FAILED)
    real = staff.check_password(password)
    under_duress = duress.matches(staff, password) and not real
    if not (real or under_duress):
        _record_failure(username)
        return SignInResult(SignInState.FAILED, staff=staff)
    device: TOTPDevice | StaticDevice | None = None
    if has_two_factor(staff):
        device = _verify_second_factor(staff, code)
        if device is None:
            _record_failure(username)
            return SignInResult(SignInState.FAILED, staff=staff)
    elif under_duress:  # nothing to protect before the first sign-in: an ordinary failure
        _record_failure(username)
        return SignInResult(SignInState.FAILED, staff=staff)
    if under_duress:
        assert device is not None
        decoy = duress.open_decoy(staff, password)
        clear_throttle(username)
        moved = type(device).objects.get(pk=device.pk)
        return SignInResult(SignInState.OK, staff=decoy.staff, keys=decoy.keys, device=moved)
    keys: vault.KeyPair | None = None
    try:
        if staff.has_keys:
            keys = vault.unwrap_staff_key(staff.wrapped_key(), password)
        elif not staff.must_change_password:
            raise vault.WrongPassword  # keys lost outside the reset path: refuse
    except vault.VaultError:
        # The password hash and the key wrap disagree: refuse rather than
        # let someone in who could not read anything.
        _record_failure(username)
        return SignInResult(SignInState.FAILED, staff=staff)
    clear_throttle(username)
    outcome = SignInState.OK if device is not None else SignInState.NEEDS_ENROLMENT
    return SignInResult(outcome, staff=staff, keys=keys, device=device)
