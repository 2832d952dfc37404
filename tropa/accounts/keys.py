"""Which sealed key copies a staff member should hold, by role."""

from __future__ import annotations

from tropa.accounts.models import Role, Staff
from tropa.keyring import actions as keyring


def needs_intake_grant(staff: Staff) -> bool:
    """An active coordinator (or triage volunteer) who holds no current copy
    of the intake team key."""
    if staff.role not in (Role.COORDINATOR, Role.TRIAGE) or not staff.is_active:
        return False
    return keyring.lacks_intake_copy(staff)
