"""Django's database sessions, with expiry times kept to the minute.

A requester's session row is written when they sign in to the portal and
each time they act; an exact expiry would date each action to the second.
Rounded up, a session never ends early.

Every request renews the session (SESSION_SAVE_EVERY_REQUEST: an idle
timeout). A request that changes nothing in it, within the minute its row
already ends on, would write the very same row again: it is not written
(one write a minute at most for a person reading pages).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from tropa.core import clock


def rounded_up(moment: datetime) -> datetime:
    minute = clock.to_minute(moment)
    return minute if minute == moment else minute + timedelta(minutes=1)


class SessionStore(DatabaseStore):
    # The row as loaded: its data (serialised, not signed: a signature holds
    # the second it was made) and its expiry.
    _stored_data: bytes | None = None
    _stored_expiry: datetime | None = None

    def _get_session_from_db(self) -> Any:
        found = super()._get_session_from_db()
        self._stored_expiry = found.expire_date if found else None
        return found

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()
        self._stored_data = self.serializer().dumps(data) if self._stored_expiry else None
        return data

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)
        instance.expire_date = rounded_up(instance.expire_date)
        return instance

    def save(self, must_create: bool = False) -> None:
        if (
            settings.TROPA_SESSION_SKIP_SAME_WRITE
            and not must_create
            and self.session_key is not None
            and self._stored_data is not None
            and self.serializer().dumps(self._get_session()) == self._stored_data
            and rounded_up(self.get_expiry_date()) == self._stored_expiry
        ):
            return  # the row already says exactly this
        super().save(must_create)
        self._stored_data = None  # written: compare against nothing stale
