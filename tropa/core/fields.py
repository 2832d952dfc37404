"""Date-times kept no more precisely than the feature needs, enforced by the field.

Times caused by a requester's action (a request arriving, a message, a
check-in, the notifications and keys they bring about) would otherwise tell a
seized database exactly when a person acted. A `CoarseDateTimeField` rounds
every value it stores, whoever writes it and however (save(), update(), a
default): the rule lives in one place, not in each call site.
`tropa/core/tests/test_coarse_times.py` walks every model's date-time fields
after a requester's actions and fails on a finer value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import models

from tropa.core import clock

ROUNDINGS: dict[str, Callable[[datetime], datetime]] = {
    "minute": clock.to_minute,
    "hour": clock.to_hour,
    "hour_up": clock.up_to_hour,
}


class CoarseDateTimeField(models.DateTimeField):  # type: ignore[type-arg]
    def __init__(self, *args: Any, precision: str = "minute", **kwargs: Any) -> None:
        if precision not in ROUNDINGS:
            raise ValueError(f"precision must be one of {sorted(ROUNDINGS)}")
        self.precision = precision
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["precision"] = self.precision
        return name, path, args, kwargs

    def _round(self, value: Any) -> Any:
        return ROUNDINGS[self.precision](value) if isinstance(value, datetime) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self._round(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(self._round(value))
