"""Surge mode: when a mobilisation brings thousands of requests in days.

A coordinator (or an admin) switches it on for the whole helpline. Then:

- the public start page and the Telegram bot answer at once with the
  self-help words (tropa/core/self_help.py), in the person's language, with
  the helpline's own words added where it wrote some;
- the questionnaire asks only the questions marked "in_surge" in its
  definition file (what triage needs: situation, region, the date to report,
  health, Russian, deception, the story), unless the coordinator keeps the
  full one;
- temporary triage volunteers can be created in bulk for a team, each with
  a temporary password and an expiry: they read and sort new requests and
  nothing else (tropa/cases/access.py), and stop working when their time is
  up (sign-in refused, sessions ended, the watcher disables them and deletes
  their key copies);
- the home page shows the queue: how many wait, and how fast it grows.

Intake itself is unchanged: the same sealing, the same guarantees. A team has
no surge of its own because requests reach no team before triage; a team's
share of the surge is its volunteers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from tropa import vault
from tropa.accounts import actions as accounts
from tropa.accounts.models import Role, Staff, Team
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.cases import staffing
from tropa.cases.models import Case, Status
from tropa.core import clock
from tropa.core import surge as surge_state
from tropa.core.models import Surge
from tropa.keyring.models import Envelope, RecipientKind

MAX_VOLUNTEERS = 50
MAX_DAYS = 30
MAX_OWN_WORDS = 3000


class Refused(ValueError):
    """Not a coordinator or an admin, or a team out of their reach."""


def may_switch(staff: Staff) -> bool:
    return staff.is_active and staff.role in (Role.COORDINATOR, Role.ADMIN)


def switch(actor: Staff | None, *, on: bool, short: bool = True) -> Surge:
    """`actor` None: the operator on the server (`tropa surge on`)."""
    if actor is not None and not may_switch(actor):
        raise Refused
    with transaction.atomic():
        state, _created = Surge.objects.select_for_update().get_or_create(pk=1)
        if on and not state.on:
            state.since = clock.now()
        state.on, state.short_questionnaire = on, short
        state.save()
        record(actor, Action.SURGE_CHANGED, count=int(on))
    surge_state.forget()
    return state


def set_own_words(actor: Staff, language: str, text: str) -> None:
    if not may_switch(actor) or len(text) > MAX_OWN_WORDS:
        raise Refused
    with transaction.atomic():
        state, _created = Surge.objects.select_for_update().get_or_create(pk=1)
        words = dict(state.self_help) if isinstance(state.self_help, dict) else {}
        words[language] = text.strip()
        state.self_help = words
        state.save(update_fields=["self_help"])
        record(actor, Action.SURGE_CHANGED)
    surge_state.forget()


@dataclass(frozen=True)
class Volunteer:
    username: str
    temporary_password: str


def create_volunteers(actor: Staff, team: Team, count: int, days: int) -> list[Volunteer]:
    """`count` triage volunteers for `team`, each with a temporary password
    (shown once) and an expiry `days` from now. An admin for any team, a
    coordinator for their own."""
    if not may_switch(actor) or not 1 <= count <= MAX_VOLUNTEERS or not 1 <= days <= MAX_DAYS:
        raise Refused
    if actor.role == Role.COORDINATOR and actor.team_id != team.pk:
        raise Refused
    batch = secrets.token_hex(2)
    expires = clock.now() + timedelta(days=days)
    made = []
    with transaction.atomic():
        for number in range(1, count + 1):
            password = accounts.generate_temporary_password()
            staff = accounts.create_staff(
                username=f"triage-{batch}-{number:02d}",
                password=password,
                role=Role.TRIAGE,
                actor=actor,
                team=team,
            )
            Staff.objects.filter(pk=staff.pk).update(expires_at=expires)
            made.append(Volunteer(staff.username, password))
    return made


def volunteers(team_id: object) -> list[Staff]:
    return list(
        Staff.objects.filter(role=Role.TRIAGE, team_id=team_id, is_active=True).order_by("username")
    )


def share_intake_key(actor: Staff, actor_keys: vault.KeyPair) -> int:
    """Give the intake key to the team's volunteers who chose their password
    and do not hold it yet. Returns how many got it."""
    if actor.role != Role.COORDINATOR:
        raise Refused
    shared = 0
    for person in volunteers(actor.team_id):
        if person.has_keys and staffing.regrant_access(person, actor, actor_keys):
            shared += 1
    return shared


def expire_volunteers() -> int:
    """Watcher job: disable temporary accounts whose time is up and delete
    their key copies. Claimed with a conditional UPDATE, so once."""
    now = clock.now()
    done = 0
    due = Staff.objects.filter(expires_at__lte=now, is_active=True).values_list("pk", flat=True)
    for staff_id in list(due[:200]):
        with transaction.atomic():
            if not Staff.objects.filter(pk=staff_id, is_active=True).update(is_active=False):
                continue
            staff = Staff.objects.get(pk=staff_id)
            Envelope.objects.filter(recipient_kind=RecipientKind.STAFF, staff=staff).delete()
            accounts.end_sessions(staff)
            record(None, Action.STAFF_EXPIRED, target=staff)
            done += 1
    return done


@dataclass(frozen=True)
class Growth:
    waiting: int  # new requests not yet triaged
    last_hour: int  # requests received in the last full hour and this one
    hour_before: int
    last_day: int


def growth() -> Growth:
    """The queue and its growth, from plaintext metadata (received_at keeps
    the hour only, so "the last hour" is this hour and the one before)."""
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    received = Case.objects.exclude(status__in=[Status.DISCARDED, Status.MERGED])
    return Growth(
        waiting=Case.objects.filter(status=Status.NEW).count(),
        last_hour=received.filter(received_at__gte=now - timedelta(hours=1)).count(),
        hour_before=received.filter(
            received_at__gte=now - timedelta(hours=2), received_at__lt=now - timedelta(hours=1)
        ).count(),
        last_day=received.filter(received_at__gte=now - timedelta(hours=24)).count(),
    )
