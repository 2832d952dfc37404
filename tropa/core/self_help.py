"""The self-help page's words: shown at once on the public start page and by
the bot while surge mode is on (and at /help/ always). One text for both, so
the web and Telegram say the same; the helpline may add its own words per
language (tropa/core/surge.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Part:
    title: Promise
    points: tuple[Promise, ...]


BUSY = _(
    "Very many people are writing to us right now. Every request is read; an answer may "
    "take longer than usual. Requests from people at the front, or who must report within "
    "three days, are read first."
)

PARTS = (
    Part(
        _("If a summons came"),
        (
            _("Do not go to the military commissariat before you have talked to us or a lawyer."),
            _("Do not sign anything there, above all not a contract."),
            _("Write down when and how the summons reached you, and keep a photo of it."),
        ),
    ),
    Part(
        _("First steps, safely"),
        (
            _("Tell your plans only to people you trust completely."),
            _("Write to us from a device nobody else can take or unlock; Tor Browser is best."),
            _("Write down your codename on paper: it is the only key to your conversation."),
        ),
    ),
    Part(
        _("What we can do"),
        (
            _("Explain your rights and the risks of each choice."),
            _("Plan a route with you, with its risks and a backup plan."),
            _(
                "Put you in touch with lawyers and psychologists, and help with visas to "
                "safer countries."
            ),
        ),
    ),
    Part(
        _("What we cannot do"),
        (
            _("We never make documents of any kind, and we never ask for money."),
            _("We cannot promise that nothing will go wrong; we can help you prepare."),
        ),
    ),
)


def as_text(own_words: str = "") -> str:
    """The page as plain text (for the bot)."""
    blocks = [str(BUSY)]
    if own_words:
        blocks.append(own_words)
    for part in PARTS:
        blocks.append(f"{part.title}\n" + "\n".join(f"• {point}" for point in part.points))
    return "\n\n".join(blocks)
