"""Timeline events the Telegram channel records, and how the case page says them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa.cases.events import Shown


class ChannelEvent(models.TextChoices):
    UNDELIVERED = "telegram_undelivered", gettext_lazy("Telegram could not deliver a reply")


def _undelivered(payload: dict[str, Any]) -> Shown:
    reasons = {
        "blocked": _("the person blocked the bot or deleted the chat"),
        "not_found": _("the chat no longer exists"),
    }
    reason = reasons.get(payload.get("reason", ""), _("Telegram did not take it for days"))
    return Shown(
        _(
            "Telegram could not deliver reply no. %(seq)s: %(reason)s. "
            "Reach the person another way if you can."
        )
        % {"seq": payload["seq"], "reason": reason}
    )


RENDERERS = {ChannelEvent.UNDELIVERED: _undelivered}
