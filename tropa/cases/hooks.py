"""Places where channels join in a case's life without cases knowing them.

Filled by the wiring module of the app that plugs in (tropa/channels/wiring.py).

Each hook runs inside the action's transaction, with the case key pair the
acting staff member opened: a Telegram channel queues a reply for its chat
(tropa/channels/delivery.py) in the same commit as the reply itself.
"""

from __future__ import annotations

from collections.abc import Callable

from tropa import vault
from tropa.cases.models import Attachment, Case, Message
from tropa.core.registry import Registry

# (case, its key pair, the reply entry, the reply's text, its files)
AFTER_REPLY: Registry[Callable[[Case, vault.KeyPair, Message, str, list[Attachment]], None]] = (
    Registry("after reply")
)
# (source, its key pair, target, its key pair): the source is about to be shredded
AFTER_MERGE: Registry[Callable[[Case, vault.KeyPair, Case, vault.KeyPair], None]] = Registry(
    "after merge"
)
# (case) -> public keys, besides the requester's, that must check a duress word
# with nobody signed in: the Telegram bot's channel key for a Telegram case.
CHECKIN_KEYS: Registry[Callable[[Case], list[bytes]]] = Registry("check-in keys")
# (timeline messages) -> for each, how a channel delivered it ("" if none did)
DELIVERY: Registry[Callable[[list[Message]], list[str]]] = Registry("delivery states")
# (case) -> the outcome its other records point to ("" for none): an
# application granted abroad suggests "legal status obtained abroad".
OUTCOME_HINTS: Registry[Callable[[Case], str]] = Registry("outcome hints")
# (case) -> None: the case's retention period is over and it is being
# shredded; each channel forgets what links a person to it (a Telegram chat).
SHREDDED: Registry[Callable[[Case], None]] = Registry("case shredded")
