"""Indicators: measured figures per period, and their restatements.

Schema evolution, for real: version 1 of ``IndicatorDefined`` called the measure ``unit``
and had no display precision; version 2 calls it ``measure`` (``unit`` now always means
an organisational unit) and adds ``change_decimals``, the places a computed percentage
change is shown to. Version 2 of ``IndicatorValueRecorded`` adds ``reason``: why a
release restated an earlier value (required of a restatement; none in v1 payloads).
Stored older payloads are upcast on read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalogue.base import DomainEvent, Payload, event_type
from catalogue.streams import indicator_stream

DIRECTIONS = ("lower", "higher")


def upcast_indicator_defined_v1_v2(payload: Payload) -> Payload:
    """v1 ``unit`` becomes ``measure``; v1 figures were shown to one decimal place."""
    payload["measure"] = payload.pop("unit")
    payload.setdefault("change_decimals", 1)
    return payload


@event_type("IndicatorDefined", "catalogue.schemas.indicators:IndicatorDefinedSchema", version=2,
            upcasters={1: upcast_indicator_defined_v1_v2})
@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorDefined(DomainEvent):
    """A measured figure, e.g. total notifiable offences, and which direction is better."""

    indicator_id: str
    name: str
    measure: str
    better: str
    change_decimals: int = 1

    @property
    def stream_id(self) -> str:
        return indicator_stream(self.indicator_id)

    def summary(self) -> str:
        return (
            f"indicator {self.indicator_id}: {self.name} "
            f"({self.measure}, {self.better} is better)"
        )


def upcast_value_recorded_v1_v2(payload: Payload) -> Payload:
    """v1 values said no reason: a restatement recorded then gave none."""
    payload.setdefault("reason", None)
    return payload


@event_type("IndicatorValueRecorded",
            "catalogue.schemas.indicators:IndicatorValueRecordedSchema", version=2,
            upcasters={1: upcast_value_recorded_v1_v2})
@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorValueRecorded(DomainEvent):
    """A value for a period from a source (the publication and its release date); a later
    value for the same period restates it, saying why."""

    indicator_id: str
    period: str
    value: Decimal
    source: str
    released_on: date
    reason: str | None = None

    @property
    def stream_id(self) -> str:
        return indicator_stream(self.indicator_id)

    def summary(self) -> str:
        return f"{self.indicator_id} {self.period} = {self.value} ({self.source})"


