"""Decide the quarter's overview: it may only cite figures the log holds."""

from __future__ import annotations

from catalogue import DomainEvent, QuarterOverviewWritten
from commands.context import Context
from commands.definitions import WriteQuarterOverview
from commands.rules.overview import check_overview
from commands.state import State


def write_overview(state: State, command: WriteQuarterOverview,
                   context: Context) -> list[DomainEvent]:
    event = QuarterOverviewWritten(quarter=command.quarter, paragraphs=list(command.paragraphs),
                                   introduction=list(command.introduction))
    check_overview(state, event, context)
    return [event]
