"""Places where higher apps join in the journeys pages without journeys
knowing them.

LEG_FILTERS: a query parameter of the journeys list (its name) -> the ids of
the legs it keeps, given the parameter's value (tropa/assistance/wiring.py
registers "point": the legs through a route point). An unknown value keeps
nothing rather than everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tropa.core.registry import Named

LEG_FILTERS: Named[Callable[[str], Any]] = Named("journey list filters")
