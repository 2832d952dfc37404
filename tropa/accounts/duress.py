"""The duress password: a second password that opens a decoy.

A staff member may choose a duress password besides their own. Made to sign
in in front of someone (detained, a phone taken at a border), they type it
instead. What happens then, in one transaction:

- every hook in `DANGER` runs for them: the cases app marks them in danger
  (tropa/cases/danger.py): the account is disabled, its sessions end, every
  sealed key copy addressed to it is deleted, its cases go back to the team,
  the team's coordinators are alerted;
- the real account gives up its username (renamed to `name~xxxxxxxx`, a form
  no one can type into a username field) and a decoy takes it: a fresh
  consultant account with no team, no cases and no key copies, its own key
  pair wrapped under the duress password, and the two-factor app and recovery
  codes of the real account, so the same phone keeps opening it;
- the sign-in goes on as any other, into the decoy.

What the person in front of the screen sees is the sign-in of a fresh account:
the same redirect, the same cookies, a plausible empty home page. The work
done is the same as a real sign-in's, too: two password checks (the real
password and the duress one, or a dummy hash when there is none) and one key
derivation (unwrapping the real key, or wrapping the decoy's), so the time
stays within the normal spread (bench/duress.py). A decoy is a consultant
whatever the real role was: a coordinator's or an admin's workspace, empty,
would still show what every coordinator or admin sees.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.core.registry import Registry

# What else happens to a person who signs in under duress (the cases app marks
# them in danger). Each hook runs inside the sign-in's transaction.
DANGER: Registry[Callable[[Staff], None]] = Registry("duress sign-in")

# Checked against when there is no duress password, so that a sign-in spends
# the same work with or without one.
_DUMMY = make_password(secrets.token_urlsafe(24))


@dataclass(frozen=True)
class Decoy:
    staff: Staff
    keys: vault.KeyPair


def matches(staff: Staff, password: str) -> bool:
    """Whether `password` is this person's duress password. Always hashes once."""
    if staff.duress_password:
        return check_password(password, staff.duress_password)
    check_password(password, _DUMMY)
    return False


def set_duress_password(staff: Staff, new: str) -> None:
    """Choose (or with "" remove) the duress password. The caller checked the
    person's own password. Raises ValidationError for a weak one, or one equal
    to their own password."""
    if new:
        validate_password(new, staff)
        if staff.check_password(new):
            raise ValidationError(
                _("The duress password must differ from your own password."), code="same"
            )
    with transaction.atomic():
        staff.duress_password = make_password(new) if new else ""
        staff.save(update_fields=["duress_password"])
        record(staff, Action.DURESS_PASSWORD_SET, target=staff)


def is_duress_password(staff: Staff, password: str) -> bool:
    """For the password change form: a new password may not be the duress one."""
    return bool(staff.duress_password) and check_password(password, staff.duress_password)


def open_decoy(staff: Staff, password: str) -> Decoy:
    """`staff` signed in with their duress password `password` (and a valid
    second factor): mark them in danger and hand their username to a decoy."""
    keys, wrapped = vault.create_staff_key(password, settings.TROPA_KDF_LIMITS)
    with transaction.atomic():
        username, hashed = staff.username, staff.duress_password
        for hook in DANGER:
            hook(staff)
        hidden = f"{username[:31]}~{secrets.token_hex(4)}"
        Staff.objects.filter(pk=staff.pk).update(
            username=hidden, is_active=False, duress_password=""
        )
        decoy = Staff(
            username=username,
            role=Role.CONSULTANT,
            language=staff.language,
            email=staff.email,
            notify_by_email=staff.notify_by_email,
            team=None,
            decoy_of=staff,
        )
        decoy.store_wrapped_key(wrapped)
        decoy.password = hashed  # the same password, already hashed
        decoy.save(force_insert=True)
        TOTPDevice.objects.filter(user=staff).update(user=decoy)
        StaticDevice.objects.filter(user=staff).update(user=decoy)
        record(None, Action.DURESS_SIGN_IN, target=staff)
    return Decoy(decoy, keys)
