"""Django's database sessions, with expiry times kept to the minute.

A requester's session row is written when they sign in to the portal and
each time they act; an exact expiry would date each action to the second.
Rounded up, a session never ends early.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from tropa.core import clock


class SessionStore(DatabaseStore):
    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)
        expiry = clock.to_minute(instance.expire_date)
        instance.expire_date = (
            expiry if expiry == instance.expire_date else expiry + timedelta(minutes=1)
        )
        return instance
