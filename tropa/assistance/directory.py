"""The directory of trusted partners and route points: its key, its entries,
and what a route point's change does to journeys.

The directory key is a keyring (purpose "directory") sealed to every active
staff member who has keys, and to the recovery key. Whoever opens the
directory keeps that true (`opened`): a new colleague gets a copy; a copy held
by someone who left makes the key rotate at once (a new key, every entry
sealed again to it, the old keyring crypto-shredded), so whatever a departed
colleague kept opens nothing written since, and nothing at all once the old
copies are gone. Entries are JSON padded to one size: a seized database shows
how many services and route points there are, and when they were verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tropa import vault
from tropa.accounts.models import Role, Staff
from tropa.assistance import sealing
from tropa.assistance.events import AssistanceEvent
from tropa.assistance.models import (
    DANGEROUS,
    Directory,
    Entry,
    EntryType,
    LegPoint,
    PointStatus,
    ServiceKind,
)
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases.events import record_event
from tropa.core import clock
from tropa.journeys.escalation import raise_alert
from tropa.journeys.models import Alert, AlertKind, Leg, LegStatus
from tropa.keyring import actions as keyring
from tropa.keyring.models import Keyring, Purpose, RecipientKind

ENTRY_SIZE = 4096  # bytes of JSON per entry
STALE_AFTER_DAYS = getattr(settings, "TROPA_DIRECTORY_STALE_DAYS", 90)


class Refused(ValueError):
    """A directory write that cannot be done, said in the user's language."""


# The fields of each type, all sealed
SERVICE_FIELDS = (
    "name", "kind", "languages", "countries", "cities", "mode", "cost",
    "contacts", "how_to_refer", "capacity",
)  # fmt: skip
POINT_FIELDS = ("name", "point_type", "country", "status", "status_note")


@dataclass
class Opened:
    """An entry as staff read it."""

    entry: Entry
    data: dict[str, str]

    @property
    def name(self) -> str:
        return self.data.get("name", "")

    @property
    def kind_label(self) -> str:
        value = self.data.get("kind", "")
        return str(ServiceKind(value).label) if value in ServiceKind.values else ""

    @property
    def status_label(self) -> str:
        return point_status_label(self.data) if self.data.get("status") else ""

    @property
    def stale(self) -> bool:
        return (clock.now().date() - self.entry.verified_on).days > STALE_AFTER_DAYS


def _seal(data: dict[str, str], public_key: bytes) -> bytes:
    try:
        return sealing.seal_padded(data, ENTRY_SIZE, [public_key])
    except sealing.TooLong as error:
        raise Refused(_("This entry is too long: shorten its fields.")) from error


def _unseal(sealed: bytes, keys: vault.KeyPair) -> dict[str, str]:
    return sealing.open_padded(sealed, keys)


def _holders() -> list[Staff]:
    return list(Staff.objects.filter(is_active=True).exclude(public_key=b""))


def _new_directory(keys: vault.KeyPair) -> Directory:
    ring = Keyring.objects.create(purpose=Purpose.DIRECTORY, public_key=keys.public_key)
    _intake, recovery = keyring.org_public_keys()
    keyring._seal(ring, keys, RecipientKind.RECOVERY, recovery)
    for person in _holders():
        keyring.grant_staff(ring, keys, person)
    return Directory.objects.create(keyring=ring)


def current() -> Directory | None:
    return Directory.objects.filter(current=True).select_related("keyring").first()


def opened(staff: Staff, staff_keys: vault.KeyPair) -> vault.KeyPair:
    """The directory key, opened with this person's keys; made on first use.
    Grants a copy to active colleagues without one, and rotates the key when a
    copy is held by someone no longer active."""
    with transaction.atomic():
        directory = Directory.objects.select_for_update().filter(current=True).first()
        if directory is None:  # the first to open it makes it
            keys = vault.generate_keypair()
            _new_directory(keys)
            return keys
        keys = keyring.open_keyring(directory.keyring, staff, staff_keys)  # or NoAccess
        holders = directory.keyring.envelopes.filter(recipient_kind=RecipientKind.STAFF)
        if holders.filter(staff__is_active=False).exists():
            return rotate(directory, keys, staff)
        # A copy sealed to a key the person no longer has (a password reset
        # makes new keys) counts as none: they get a fresh one
        current = holders.filter(recipient_public_key=F("staff__public_key"))
        have = set(current.values_list("staff_id", flat=True))
        for person in _holders():
            if person.pk not in have:
                keyring.grant_staff(directory.keyring, keys, person)
        return keys


def rotate(directory: Directory, keys: vault.KeyPair, by: Staff | None) -> vault.KeyPair:
    """A new directory key: every entry sealed again to it, copies for the
    active staff and the recovery key, the old keyring shredded."""
    new_keys = vault.generate_keypair()
    with transaction.atomic():
        directory.current = False
        directory.save(update_fields=["current"])
        _new_directory(new_keys)
        for entry in Entry.objects.all():
            entry.sealed = _seal(_unseal(bytes(entry.sealed), keys), new_keys.public_key)
            entry.save(update_fields=["sealed"])
        keyring.crypto_shred(directory.keyring)
        record(by, Action.DIRECTORY_ROTATED)
    return new_keys


def read(entries: list[Entry], keys: vault.KeyPair) -> list[Opened]:
    return [Opened(entry, _unseal(bytes(entry.sealed), keys)) for entry in entries]


def may_edit(staff: Staff) -> bool:
    return staff.is_active and staff.role == Role.COORDINATOR


def save_entry(
    entry: Entry | None,
    kind: str,
    data: dict[str, str],
    by: Staff,
    by_keys: vault.KeyPair,
    verified_on: date,
) -> Entry:
    """Create or change an entry (coordinators). A route point's status
    becoming risky or closed raises an alert on each journey through it."""
    if not may_edit(by):
        raise Refused(_("Only coordinators edit the directory."))
    if not data.get("name", "").strip():
        raise Refused(_("Give the entry a name."))
    keys = opened(by, by_keys)
    with transaction.atomic():
        before = _unseal(bytes(entry.sealed), keys) if entry is not None else {}
        if entry is None:
            entry = Entry(type=kind)
        entry.sealed = _seal(data, keys.public_key)
        entry.verified_on = verified_on
        entry.verified_by = by
        entry.save()
        record(by, Action.DIRECTORY_CHANGED)
        if (
            entry.type == EntryType.ROUTE_POINT
            and data.get("status") in DANGEROUS
            and data.get("status") != before.get("status")
        ):
            warn_journeys(entry, data, by)
    return entry


def warn_journeys(point: Entry, data: dict[str, str], by: Staff) -> int:
    """Each active or planned leg through the point gets one alert on its case,
    up the escalation ladder (its consultants first), and a timeline event
    naming the leg, the point and its new status (sealed to the case key)."""
    now = clock.now()
    legs = Leg.objects.filter(
        pk__in=LegPoint.objects.filter(point=point).values("leg_id"),
        status__in=[LegStatus.ACTIVE, LegStatus.PLANNED],
    ).select_related("plan__case__team", "plan__case__keyring")
    raised = 0
    for leg in legs:
        case = leg.plan.case
        already = Alert.objects.filter(leg=leg, kind=AlertKind.ROUTE, acknowledged_at__isnull=True)
        if already.exists():
            continue
        raise_alert(case, leg, AlertKind.ROUTE, now)
        record_event(
            case,
            case.public_key,
            AssistanceEvent.ROUTE_POINT,
            by,
            leg=leg.position,
            point=data.get("name", ""),
            status=data.get("status", ""),
            note=data.get("status_note", ""),
        )
        raised += 1
    return raised


def remove_entry(entry: Entry, by: Staff) -> None:
    if not may_edit(by):
        raise Refused(_("Only coordinators edit the directory."))
    with transaction.atomic():
        entry.removed = True
        entry.save(update_fields=["removed"])
        record(by, Action.DIRECTORY_CHANGED)


def set_leg_points(leg: Leg, points: list[Entry], by: Staff) -> None:
    """The route points a leg passes (which ones is sealed in the directory)."""
    with transaction.atomic():
        LegPoint.objects.filter(leg=leg).exclude(point__in=points).delete()
        have = set(LegPoint.objects.filter(leg=leg).values_list("point_id", flat=True))
        LegPoint.objects.bulk_create(LegPoint(leg=leg, point=p) for p in points if p.pk not in have)
        record(by, Action.PLAN_CHANGED, case_id=leg.plan.case_id)


def point_status_label(data: dict[str, Any]) -> str:
    value = data.get("status", "")
    return str(PointStatus(value).label) if value in PointStatus.values else value
