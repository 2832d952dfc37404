"""The data behind the bot's buttons: one encoder, one decoder.

Telegram gives a button up to 64 bytes of data and hands them back when the
button is pressed. Ours are a kind and a few short arguments joined by ":"
(`a:situation:2`), never anything about the person. Nothing else in the bot
builds or splits these strings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

MAX_BYTES = 64


class Press(enum.StrEnum):
    LANGUAGE = "lang"
    MODE = "mode"
    ANSWER = "a"  # a single-choice answer: question id, option index
    MULTI = "m"  # toggling a several-answers option: question id, option index or "done"
    REGION_GROUP = "g"  # a group of regions ("" goes back to the groups)
    REGION = "r"
    SKIP = "skip"
    DELETE = "del"  # "yes" or "no"
    CHECKIN = "c"  # "safe" or "help"


def encode(kind: Press, *args: str) -> str:
    data = ":".join([kind.value, *args])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    return data


@dataclass(frozen=True)
class Pressed:
    """A decoded button press; `kind` is None for no press or an unknown button."""

    kind: Press | None = None
    args: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.kind is not None or bool(self.args)

    def arg(self, index: int) -> str:
        return self.args[index] if index < len(self.args) else ""

    def is_(self, kind: Press, *args: str) -> bool:
        return self.kind == kind and self.args[: len(args)] == args


def decode(data: str) -> Pressed:
    if not data:
        return Pressed()
    head, *args = data.split(":")
    try:
        return Pressed(Press(head), tuple(args))
    except ValueError:
        return Pressed(None, (data,))  # an old or foreign button: truthy, but no kind
