"""Telling staff that something is waiting, without saying what.

No case content and no alias ever go into a notification: an e-mail account is
easier to seize than the server. Delivery failures are logged, not raised: the
action that triggered the notification has already been stored.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from tropa.accounts.models import Staff

log = logging.getLogger("tropa.notify")

KINDS = {"assigned", "message", "task_due"}


def notify(staff: Staff, kind: str) -> bool:
    """E-mail `staff` that there is something to look at. Returns whether it was sent."""
    assert kind in KINDS
    if not staff.email or not staff.notify_by_email or not staff.is_active:
        return False
    with translation.override(staff.language):
        subject = _("Tropa: something new for you")
        body = _(
            "There is something new for you in Tropa. Sign in to see it.\n\n"
            "This message says nothing more on purpose."
        )
    try:
        send_mail(subject, body, None, [staff.email])
    except Exception:  # noqa: BLE001 - the mail server may be down; the work is stored
        log.exception("could not e-mail a notification")
        return False
    return True
