"""The requester behind a case, known only by a keyed hash of their codename."""

from __future__ import annotations

import uuid

from django.db import models


class Requester(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A ForeignKey: merging two requests from one person leaves both codenames
    # working on the one case.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="requesters")
    # BLAKE2b keyed with the instance pepper over the normalised codename.
    lookup_id = models.BinaryField(unique=True)
    # Derived from the codename too; replies are sealed to it.
    public_key = models.BinaryField()

    def __str__(self) -> str:
        return f"requester of {self.case_id}"


class PortalThrottle(models.Model):
    """Failed codename sign-ins in the current minute, for everyone at once.

    No address, no browser: one counter per minute. A flood of guesses slows
    the door for everyone briefly, which is better than letting it through.
    """

    minute = models.DateTimeField(primary_key=True)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.minute:%H:%M} {self.failures}"
