"""Sealing an application's words: JSON padded to one size per kind of row,
so that a seized database cannot tell a long note from a short one."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from tropa import vault

DETAILS_SIZE = 8192  # bytes of JSON: office, references, appointment, notes
ITEM_SIZE = 1024  # a checklist item's title and note

LIMITS = {"office": 200, "references": 200, "appointment": 500, "notes": 2000}
TITLE_MAX, ITEM_NOTE_MAX = 120, 300


@dataclass
class Details:
    office: str = ""  # consulate or office
    references: str = ""  # reference numbers
    appointment: str = ""  # where, with whom, what to bring
    notes: str = ""


@dataclass
class ItemText:
    title: str
    note: str = ""


class TooLong(ValueError):
    """The words do not fit the fixed size they are sealed at."""


def seal_padded(data: dict[str, str], size: int, recipients: list[bytes]) -> bytes:
    """`data` as JSON padded to `size` bytes, sealed to `recipients`: every
    row of a kind is the same length whatever it says (or TooLong)."""
    body = {**data, "pad": ""}
    used = len(json.dumps(body, ensure_ascii=False).encode())
    if used > size:
        raise TooLong
    body["pad"] = " " * (size - used)
    return vault.seal_to_many(json.dumps(body, ensure_ascii=False).encode(), recipients)


def open_padded(sealed: bytes, keys: vault.KeyPair) -> dict[str, str]:
    data = json.loads(vault.open_from_many(keys, bytes(sealed)))
    data.pop("pad", None)
    return data


def seal_details(details: Details, public_key: bytes) -> bytes:
    return seal_padded(asdict(details), DETAILS_SIZE, [public_key])


def open_details(sealed: bytes, keys: vault.KeyPair) -> Details:
    return Details(**open_padded(sealed, keys))


def seal_item(text: ItemText, public_key: bytes) -> bytes:
    return seal_padded(asdict(text), ITEM_SIZE, [public_key])


def open_item(sealed: bytes, keys: vault.KeyPair) -> ItemText:
    return ItemText(**open_padded(sealed, keys))
