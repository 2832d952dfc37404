"""Places where channels join in a case's life without cases knowing them.

Each hook runs inside the action's transaction, with the case key pair the
acting staff member opened: a Telegram channel queues a reply for its chat
(tropa/channels/delivery.py) in the same commit as the reply itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tropa import vault
    from tropa.cases.models import Attachment, Case, Message

# (case, its key pair, the reply entry, the reply's text, its files)
AFTER_REPLY: list[Callable[[Case, vault.KeyPair, Message, str, list[Attachment]], None]] = []
# (source, its key pair, target, its key pair): the source is about to be shredded
AFTER_MERGE: list[Callable[[Case, vault.KeyPair, Case, vault.KeyPair], None]] = []
# (case) -> public keys, besides the requester's, that must check a duress word
# with nobody signed in: the Telegram bot's channel key for a Telegram case.
CHECKIN_KEYS: list[Callable[[Case], list[bytes]]] = []
# (timeline messages) -> for each, how a channel delivered it ("" if none did)
DELIVERY: list[Callable[[list[Message]], list[str]]] = []
