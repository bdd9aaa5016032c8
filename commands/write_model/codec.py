"""The write model as JSON, one entity at a time, so that it can be saved at a checkpoint.

A checkpoint spares a starting `CommandService` the fold of the whole log, and keeping it
as one row per entity (a milestone with its reports, a stream's version, a command's
commit…) spares it decoding the whole model: it reads only the entities its command
names (`write_model.entities`). Each of the model's maps is a `Kind`: how its keys become
text and its values JSON, and back. The encoding is plain JSON (never pickle: a row in the
database must not be able to run code), compact arrays rather than objects, with dicts
inside an entity as lists of pairs so that their order, which the rules read (the last
reschedule wins, the latest value of a period counts), survives. Days are ordinals, dates
a source gave (known perhaps to the month or quarter) their stored form, UUIDs hex,
decimals text and event classes their catalogue names.

What is not a map (the position and the list of scale adoptions) goes into the
checkpoint's own row (`dumps_head`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from catalogue.base import spec_for
from catalogue.periods import Quarter
from catalogue.precision import parse_precise, stored_form
from catalogue.scales import StatusDef, StatusScale
from commands.write_model.state import (
    CommitRef,
    EventRef,
    FormationState,
    IndicatorState,
    MilestoneState,
    OneOffState,
    ProgressState,
    Role,
    TopicState,
    UnitState,
    ValueState,
)

FORMAT = 3
"""Raised whenever the encoding or the meaning of a field changes, so that checkpoints
written by other code are not read (see `write_model.checkpoints.fingerprint`)."""

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Kind(Generic[K, V]):
    """One map of the model (`State.<name>`) as rows: its key as text, its value as JSON
    (read knowing its key, which is not stored twice)."""

    name: str
    key: Callable[[K], str]
    read_key: Callable[[str], K]
    value: Callable[[V], Any]
    read_value: Callable[[K, Any], V]
    mutable: bool
    """Whether the fold changes a value in place (a milestone's reports), so that reading
    it may change it; immutable values change only when set."""

    def dumps(self, value: V) -> str:
        return json.dumps(self.value(value), separators=(",", ":"), ensure_ascii=False)

    def loads(self, key: K, text: str) -> V:
        return self.read_value(key, json.loads(text))


def _same(value: Any) -> Any:
    return value


def _hex(value: uuid.UUID) -> str:
    return value.hex


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(hex=text)


def _quarter(quarter: Quarter) -> list[int]:
    return [quarter.start_year, quarter.number]


def _read_quarter(value: list[int]) -> Quarter:
    return Quarter(*value)


def _roles(roles: set[Role]) -> list[list[str | None]]:
    return [[r.role, r.unit_id] for r in sorted(roles, key=lambda r: (r.role, r.unit_id or ""))]


def _milestone(m: MilestoneState) -> list[Any]:
    return [m.milestone_id, m.title, m.topic_id, m.owner_unit, _quarter(m.scheduled_due),
            [[key.hex, _quarter(p.quarter), p.status, p.as_of.toordinal(), p.category]
             for key, p in m.reports.items()],
            [[key.hex, _quarter(q)] for key, q in m.reschedules.items()],
            [key.hex for key in m.withdrawals]]


def _read_milestone(m: list[Any]) -> MilestoneState:
    return MilestoneState(
        milestone_id=m[0], title=m[1], topic_id=m[2], owner_unit=m[3],
        scheduled_due=Quarter(*m[4]),
        reports={uuid.UUID(hex=key): ProgressState(Quarter(*quarter), status,
                                                   date.fromordinal(day), category)
                 for key, quarter, status, day, category in m[5]},
        reschedules={uuid.UUID(hex=key): Quarter(*quarter) for key, quarter in m[6]},
        withdrawals={uuid.UUID(hex=key) for key in m[7]},
    )


def _indicator(i: IndicatorState) -> list[Any]:
    return [i.indicator_id, i.name,
            [[period, [[key.hex, str(v.value), v.source, stored_form(v.released_on)]
                       for key, v in values.items()]]
             for period, values in i.values.items()],
            [[key.hex, period] for key, period in i.periods_by_event.items()]]


def _read_indicator(i: list[Any]) -> IndicatorState:
    return IndicatorState(
        indicator_id=i[0], name=i[1],
        values={period: {uuid.UUID(hex=key): ValueState(Decimal(value), source,
                                                        parse_precise(day))
                         for key, value, source, day in values}
                for period, values in i[2]},
        periods_by_event={uuid.UUID(hex=key): period for key, period in i[3]},
    )


def _scale(scale: StatusScale) -> list[Any]:
    return [scale.scale_id, scale.name,
            [[d.status, d.label, d.symbol, d.colour, d.category] for d in scale.statuses]]


def _read_scale(value: list[Any]) -> StatusScale:
    scale_id, name, statuses = value
    return StatusScale(scale_id, name, tuple(
        StatusDef(status=status, label=label, symbol=symbol, colour=colour, category=category)
        for status, label, symbol, colour, category in statuses))


def _class(name: str) -> Any:
    return spec_for(name).event_class


def _one_off_key(key: tuple[str, str]) -> str:
    return json.dumps(list(key), ensure_ascii=False)


def _read_one_off_key(text: str) -> tuple[str, str]:
    first, second = json.loads(text)
    return str(first), str(second)


KINDS: tuple[Kind[Any, Any], ...] = (
    Kind("versions", str, str, _same, lambda _, v: int(v), mutable=False),
    Kind("themes", str, int, _same, lambda _, v: str(v), mutable=False),
    Kind("topics", str, str, lambda t: [t.theme, t.title],
         lambda key, v: TopicState(key, v[0], v[1]), mutable=True),
    Kind("units", str, str, lambda u: [u.name, u.kind, list(u.boroughs)],
         lambda key, v: UnitState(key, v[0], v[1], tuple(v[2])), mutable=True),
    Kind("roles", str, str, _roles,
         lambda _, held: {Role(role, unit) for role, unit in held}, mutable=True),
    Kind("milestones", str, str, _milestone, lambda _, v: _read_milestone(v), mutable=True),
    Kind("updates", str, str, _same, lambda _, v: str(v), mutable=False),
    Kind("live_units", str, str, _hex, lambda _, v: _uuid(v), mutable=False),
    Kind("taskforces", str, str,
         lambda f: [f.event_id.hex, f.update_id, stored_form(f.effective_date)],
         lambda _, v: FormationState(_uuid(v[0]), v[1], parse_precise(v[2])), mutable=True),
    Kind("one_offs", _one_off_key, _read_one_off_key,
         lambda o: [o.event_id.hex, o.update_id, stored_form(o.effective_date),
                    o.event_class.type_name],
         lambda _, v: OneOffState(_uuid(v[0]), v[1], parse_precise(v[2]), _class(v[3])),
         mutable=True),
    Kind("indicators", str, str, _indicator, lambda _, v: _read_indicator(v), mutable=True),
    Kind("scales", str, str, _scale, lambda _, v: _read_scale(v), mutable=False),
    Kind("events", _hex, _uuid,
         lambda r: [r.stream_id, r.event_class.type_name, r.position, r.key],
         lambda key, v: EventRef(key, v[0], _class(v[1]), v[2], v[3]), mutable=False),
    Kind("retracted", _hex, _uuid, lambda _: 1, lambda _, v: True, mutable=False),
    Kind("commits", str, str,
         lambda c: [c.command_type, c.command_hash, c.first_position, c.last_position,
                    list(c.event_types)],
         lambda key, v: CommitRef(key, v[0], v[1], v[2], v[3], tuple(v[4])), mutable=False),
)
"""Every map of the model, in `State`'s order (`retracted`, a set, as a map to True)."""
BY_NAME: dict[str, Kind[Any, Any]] = {kind.name: kind for kind in KINDS}


def dumps_head(position: int, adoptions: list[tuple[Quarter, int, str]]) -> bytes:
    """What the checkpoint's own row keeps: its format, position and scale adoptions."""
    body = [FORMAT, position, [[_quarter(quarter), at, scale_id]
                               for quarter, at, scale_id in adoptions]]
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def loads_head(text: bytes) -> tuple[int, list[tuple[Quarter, int, str]]]:
    """The position and adoptions `dumps_head` wrote; ValueError if it is not this code's."""
    body = json.loads(text)
    if not isinstance(body, list) or len(body) != 3 or body[0] != FORMAT:
        raise ValueError("not a write model of this format")
    _, position, adoptions = body
    return int(position), [(_read_quarter(quarter), int(at), str(scale_id))
                           for quarter, at, scale_id in adoptions]
