"""Status scales: defining one, and a plan adopting one from a quarter on.

Per command: its schema, the typed command, how it is decided; `SPECS` at the end
registers each. A scale is data (`catalogue.scales`); the milestone commands accept the
statuses of the scale in force for the quarter they report on (`check_status`).
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import validates_schema

from catalogue import DomainEvent, Quarter, StatusDef, StatusScaleAdopted, StatusScaleDefined
from catalogue.fields import QuarterField, identifier, title
from catalogue.scales import DEFAULT_SCALE
from catalogue.schemas.scales import check_distinct, status_list
from catalogue.streams import scale_stream
from commands import references
from commands.command import Command, CommandSchema, about, recorded
from commands.context import Context
from commands.errors import Refused
from commands.permissions import PLANNING
from commands.spec import CommandSpec
from commands.write_model.state import State

GROUP = "Status scales"
RESERVED = ("not_reported", "rescheduled", "withdrawn")
"""What a board shows besides a scale's statuses: no scale may name a status so."""


def check_status(state: State, quarter: Quarter, status: str, field: str = "status") -> None:
    """`status` is one of the statuses of the scale in force for `quarter`."""
    scale = state.scale_for(quarter)
    if scale.find(status) is None:
        allowed = ", ".join(scale.ids)
        raise Refused(field, f"{status!r} is not a status of the {scale.scale_id!r} scale in "
                             f"force for {quarter}; allowed: {allowed}")


# -- DefineStatusScale ------------------------------------------------------------------


class DefineStatusScaleSchema(CommandSchema):
    scale_id = identifier(required=True, **about("a new id, e.g. dorset"))
    name = title(required=True, **about("e.g. Dorset Police"))
    statuses = status_list(required=True, **about(
        "each status: status (id), label, symbol (tick, calendar, wrench, circle, square, "
        "triangle, diamond, cross, star, flag, dash), colour (#rrggbb) and category (done, "
        "in_progress, at_risk, not_started, withdrawn)"))

    @validates_schema
    def _distinct(self, data: dict[str, object], **kwargs: object) -> None:
        check_distinct(data.get("statuses", ()))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class DefineStatusScale(Command):
    """Define a scale of statuses milestones may be reported in."""

    scale_id: str
    name: str
    statuses: tuple[StatusDef, ...]


def define_scale(state: State, command: DefineStatusScale,
                 context: Context) -> list[DomainEvent]:
    if command.scale_id == DEFAULT_SCALE.scale_id:
        raise Refused("scale_id", f"{command.scale_id!r} is the built-in default scale")
    references.new_stream(state, scale_stream(command.scale_id), "scale_id",
                          f"status scale {command.scale_id!r}")
    for status in command.statuses:
        if status.status in RESERVED:
            raise Refused("statuses", f"{status.status!r} is a board state every scale has "
                                      f"({', '.join(RESERVED)}); name the status otherwise")
    return [recorded(StatusScaleDefined, command)]


# -- AdoptStatusScale -------------------------------------------------------------------


class AdoptStatusScaleSchema(CommandSchema):
    scale_id = identifier(required=True, **about("a defined scale, or default"))
    from_quarter = QuarterField(required=True, **about("the first quarter it is used for"))


@dataclass(frozen=True, slots=True, kw_only=True)
class AdoptStatusScale(Command):
    """Report the plan's milestones on a scale from a quarter on."""

    scale_id: str
    from_quarter: Quarter


def adopt_scale(state: State, command: AdoptStatusScale,
                context: Context) -> list[DomainEvent]:
    """The scale exists, and no report already speaks of the quarter or a later one: a
    recorded status keeps the scale it was given in."""
    if command.scale_id != DEFAULT_SCALE.scale_id and command.scale_id not in state.scales:
        known = ", ".join([DEFAULT_SCALE.scale_id, *sorted(state.scales)])
        raise Refused("scale_id", f"no status scale {command.scale_id!r}; defined: {known}")
    reported = sorted({report.quarter for milestone in state.milestones.values()
                       for report in milestone.reports.values()
                       if report.quarter >= command.from_quarter})
    if reported:
        raise Refused("from_quarter",
                      f"progress is already reported for {reported[-1]}; adopt a scale from "
                      f"a quarter after it")
    return [recorded(StatusScaleAdopted, command)]


SPECS = (
    CommandSpec(DefineStatusScale, DefineStatusScaleSchema(), define_scale, PLANNING, GROUP,
                records=StatusScaleDefined),
    CommandSpec(AdoptStatusScale, AdoptStatusScaleSchema(), adopt_scale, PLANNING, GROUP,
                records=StatusScaleAdopted),
)
