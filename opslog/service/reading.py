"""The read side's questions as the service asks them: the same `projections.query` calls
as `opslog status` and `opslog report`, with the cut-offs from the query string, and for
an anonymous reader under ``--public`` the quarter's published update only."""

from __future__ import annotations

from typing import Any

from catalogue import Quarter
from commands.identity import Principal
from eventstore import EventStore
from opslog.service.auth import CHALLENGE
from opslog.service.problems import Problem
from projections import query
from projections.errors import ProjectionError
from projections.fold.cutoff import Cutoff
from projections.quarter.board import Board
from projections.quarter.report import Report
from projections.snapshots.publishing import published_report

CUTOFF_KEYS = ("as_of", "at_position", "effective_at", "as_reported")


def cutoff(store: EventStore, params: dict[str, Any]) -> Cutoff:
    try:
        return query.resolve_cutoff(store, as_of=params.get("as_of"),
                                    at_position=params.get("at_position"),
                                    effective=params.get("effective_at"),
                                    reported=params.get("as_reported"))
    except ProjectionError as error:
        raise Problem(400, str(error), field="at_position") from None


def board(store: EventStore, quarter: Quarter, params: dict[str, Any],
          who: Principal | None) -> Board:
    if who is None:
        return _published(store, quarter, params).board
    try:
        return query.board(store, quarter, cutoff(store, params), catch_up=True)
    except ProjectionError as error:
        raise Problem(422, str(error), field="quarter") from None


def report(store: EventStore, quarter: Quarter, params: dict[str, Any],
           who: Principal | None) -> Report:
    if who is None:
        return _published(store, quarter, params)
    try:
        return query.report(store, quarter, cutoff(store, params), catch_up=True)
    except ProjectionError as error:
        raise Problem(422, str(error), field="quarter") from None


def _published(store: EventStore, quarter: Quarter, params: dict[str, Any]) -> Report:
    """Anyone may read a published update as published; anything else needs a token."""
    given = [key for key in CUTOFF_KEYS if params.get(key) is not None]
    if given:
        raise Problem(401, "needs a token: without one only the published update is shown",
                      field=given[0], headers=CHALLENGE)
    found = published_report(store, quarter)
    if found is None:
        raise Problem(401, f"{quarter} has no published update; reading it needs a token",
                      field="Authorization", headers=CHALLENGE)
    return found.report
