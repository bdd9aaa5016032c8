"""The write model as JSON and back, so that it can be saved at a checkpoint.

A checkpoint spares a starting `CommandService` the fold of the whole log: it loads the
model as it stood at a position and folds only the events after it. The encoding is
plain JSON (never pickle: a row in the database must not be able to run code), compact
arrays rather than objects, with dicts as lists of pairs so that their order, which the
rules read (the last reschedule wins, the latest value of a period counts), survives.
Days are ordinals, dates a source gave (known perhaps to the month or quarter) their stored
form, UUIDs hex, decimals text and event classes their catalogue names.

The index of every event by id goes into a part of its own (`Encoded.events`), decoded
only when a correction first needs it (`write_model.lazy`): the rest grows with what the
plan holds and the commands recorded, that part with every event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from catalogue.base import spec_for
from catalogue.periods import Quarter
from catalogue.precision import parse_precise, stored_form
from catalogue.scales import StatusDef, StatusScale
from commands.write_model.lazy import LazyIndex
from commands.write_model.state import (
    CommitRef,
    EventRef,
    FormationState,
    IndicatorState,
    MilestoneState,
    OneOffState,
    ProgressState,
    Role,
    State,
    TopicState,
    UnitState,
    ValueState,
)

FORMAT = 2
"""Raised whenever the encoding or the meaning of a field changes, so that checkpoints
written by other code are not read (see `write_model.checkpoints.fingerprint`)."""


class Encoded(NamedTuple):
    """The model as UTF-8 JSON: the index of events apart."""

    body: bytes
    events: bytes


def dumps(state: State) -> Encoded:
    """The model as UTF-8 JSON."""
    body = [
        FORMAT,
        state.position,
        list(state.versions.items()),
        list(state.themes.items()),
        [[t.topic_id, t.theme, t.title] for t in state.topics.values()],
        [[u.unit_id, u.name, u.kind, list(u.boroughs)] for u in state.units.values()],
        [[actor, [[r.role, r.unit_id] for r in sorted(roles, key=_role_order)]]
         for actor, roles in state.roles.items()],
        [_milestone(m) for m in state.milestones.values()],
        list(state.updates.items()),
        [[unit, event_id.hex] for unit, event_id in state.live_units.items()],
        [[unit, f.event_id.hex, f.update_id, stored_form(f.effective_date)]
         for unit, f in state.taskforces.items()],
        [[list(key), o.event_id.hex, o.update_id, stored_form(o.effective_date),
          o.event_class.type_name] for key, o in state.one_offs.items()],
        [_indicator(i) for i in state.indicators.values()],
        [[scale.scale_id, scale.name,
          [[d.status, d.label, d.symbol, d.colour, d.category] for d in scale.statuses]]
         for scale in state.scales.values()],
        [[_quarter(quarter), position, scale_id]
         for quarter, position, scale_id in state.adoptions],
        [event_id.hex for event_id in state.retracted],
        [[c.command_id, c.command_type, c.command_hash, c.first_position, c.last_position,
          list(c.event_types)] for c in state.commits.values()],
    ]
    events = [[r.event_id.hex, r.stream_id, r.event_class.type_name, r.position, r.key]
              for r in state.events.values()]
    return Encoded(_json(body), _json(events))


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def loads(text: bytes, events: Callable[[], dict[uuid.UUID, EventRef]]) -> State:
    """The model `dumps` wrote, its index of events read by `events` when first needed
    (`load_events` of the part, or a fold); ValueError if it is not one this code writes."""
    body = json.loads(text)
    if not isinstance(body, list) or not body or body[0] != FORMAT:
        raise ValueError("not a write model of this format")
    (_, position, versions, themes, topics, units, roles, milestones, updates, live_units,
     taskforces, one_offs, indicators, scales, adoptions, retracted, commits) = body
    hexes = uuid.UUID
    return State(
        position=position,
        versions=dict(versions),
        themes={int(number): title for number, title in themes},
        topics={t[0]: TopicState(t[0], t[1], t[2]) for t in topics},
        units={u[0]: UnitState(u[0], u[1], u[2], tuple(u[3])) for u in units},
        roles={actor: {Role(role, unit) for role, unit in held} for actor, held in roles},
        milestones={m[0]: _load_milestone(m) for m in milestones},
        updates=dict(updates),
        live_units={unit: hexes(hex=event_id) for unit, event_id in live_units},
        taskforces={unit: FormationState(hexes(hex=event_id), update_id, parse_precise(day))
                    for unit, event_id, update_id, day in taskforces},
        one_offs={(key[0], key[1]): OneOffState(hexes(hex=event_id), update_id,
                                                parse_precise(day),
                                                spec_for(type_name).event_class)
                  for key, event_id, update_id, day, type_name in one_offs},
        indicators={i[0]: _load_indicator(i) for i in indicators},
        scales={scale_id: StatusScale(scale_id, name, tuple(
                    StatusDef(status=status, label=label, symbol=symbol, colour=colour,
                              category=category)
                    for status, label, symbol, colour, category in statuses))
                for scale_id, name, statuses in scales},
        adoptions=[(Quarter(*quarter), position, scale_id)
                   for quarter, position, scale_id in adoptions],
        events=LazyIndex(events),
        retracted={hexes(hex=event_id) for event_id in retracted},
        commits={c[0]: CommitRef(c[0], c[1], c[2], c[3], c[4], tuple(c[5])) for c in commits},
    )


def load_events(text: bytes) -> dict[uuid.UUID, EventRef]:
    """The index of events `dumps` wrote apart."""
    classes: dict[str, Any] = {}

    def event_class(name: str) -> Any:
        found = classes.get(name)
        if found is None:
            found = classes[name] = spec_for(name).event_class
        return found

    hexes = uuid.UUID
    return {(event_id := hexes(hex=r[0])): EventRef(event_id, r[1], event_class(r[2]), r[3],
                                                    r[4])
            for r in json.loads(text)}


def _role_order(role: Role) -> tuple[str, str]:
    return role.role, role.unit_id or ""


def _quarter(quarter: Quarter) -> list[int]:
    return [quarter.start_year, quarter.number]


def _milestone(m: MilestoneState) -> list[Any]:
    return [m.milestone_id, m.title, m.topic_id, m.owner_unit, _quarter(m.scheduled_due),
            [[key.hex, _quarter(p.quarter), p.status, p.as_of.toordinal(), p.category]
             for key, p in m.reports.items()],
            [[key.hex, _quarter(q)] for key, q in m.reschedules.items()],
            [key.hex for key in m.withdrawals]]


def _load_milestone(m: list[Any]) -> MilestoneState:
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


def _load_indicator(i: list[Any]) -> IndicatorState:
    return IndicatorState(
        indicator_id=i[0], name=i[1],
        values={period: {uuid.UUID(hex=key): ValueState(Decimal(value), source,
                                                        parse_precise(day))
                         for key, value, source, day in values}
                for period, values in i[2]},
        periods_by_event={uuid.UUID(hex=key): period for key, period in i[3]},
    )
