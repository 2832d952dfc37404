"""Explicit registries: how a higher app plugs into a lower one.

A lower layer (the watcher loop, the case page, the outbox) declares a
registry; each app that plugs in does so from its `wiring.py`, which its
`apps.py` calls once at start-up. A reader finds every plug-in of an app in
that one module. Registering the same thing twice is a mistake in the wiring
and raises at once, rather than running a job or a hook twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class AlreadyRegistered(Exception):
    pass


class Registry(Generic[T]):
    """An ordered list of plug-ins, each registered once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[T] = []

    def register(self, item: T) -> T:
        if item in self._items:
            raise AlreadyRegistered(f"{item!r} is already registered in {self.name}")
        self._items.append(item)
        return item

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)


class Named(Generic[T]):
    """Plug-ins looked up by a name (a notifier per channel, a renderer per event kind)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, key: str, item: T) -> T:
        if key in self._items:
            raise AlreadyRegistered(f"{key!r} is already registered in {self.name}")
        self._items[key] = item
        return item

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def __contains__(self, key: object) -> bool:
        return key in self._items
