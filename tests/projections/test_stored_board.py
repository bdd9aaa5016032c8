"""`opslog status` answers from the board the runner keeps, and only when that is the answer.

The table holds each quarter's board at the runner's checkpoint, up to its horizon. These
tests compare what status says from it with a fold of the whole log, and alter a stored
row behind the runner's back to see which questions read the table and which fold.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from catalogue import MilestoneProgressReported, Quarter
from opslog.cli import main
from projections.fold.cutoff import Cutoff
from projections.fold.records import quarter_number, quarter_of_number
from projections.fold.state import fold
from projections.quarter import forms
from projections.quarter.board import build_board
from projections.readmodels.boards import stored_board
from projections.readmodels.loading import checkpoint
from projections.readmodels.rows import BOARD_DIGESTED, row_digest
from projections.readmodels.runner import Runner
from projections.readmodels.tables import board
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log
from tests.projections.random_log import write_random_log

Q1 = Quarter(2018, 1)
ALTERED = "title altered in milestone_board"


def status(url: str, *args: str) -> str:
    """``opslog status --format json`` through the real CLI."""
    result = CliRunner().invoke(main, ["--db", url, "status", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("seed", [21, 22])
def test_status_from_the_table_is_status_from_a_fold(writer: LogWriter, database_url: str,
                                                     seed: int) -> None:
    """Every quarter up to the horizon: the table answers, and says what a fold says, to
    the byte of status's JSON (corrections, sources and progress text included)."""
    write_random_log(writer, seed)
    Runner(writer.store, batch_size=9).catch_up()
    head = writer.store.head().position
    state = fold(writer.store.read_all())
    with writer.store.engine.connect() as connection:
        live = checkpoint(connection)
        assert live is not None and live.position == head and live.horizon is not None
        first = min(row[0] for row in connection.execute(sa.select(board.c.quarter_number)))
        for number in range(first - 1, live.horizon + 1):
            quarter = quarter_of_number(number)
            folded = build_board(state, quarter, Cutoff(head))
            assert stored_board(connection, live, quarter, Cutoff(head)) == folded, quarter
    noted = [row for number in range(first, live.horizon + 1)
             for row in build_board(state, quarter_of_number(number), Cutoff(head)).rows
             if row.notes]
    assert noted, "the log should correct some of the facts the boards show"
    for quarter in (quarter_of_number(first), noted[0].quarter):
        assert status(database_url, "--quarter", str(quarter)) == forms.to_json(
            forms.board_form(build_board(state, quarter, Cutoff(head))))


def _alter_title(writer: LogWriter, milestone_id: str, *, rehash: bool = True,
                 **values: object) -> None:
    """Alter a board row's title; with `rehash`, as a forger who recomputes its digest."""
    where = (board.c.quarter_number == quarter_number(Q1), board.c.milestone_id == milestone_id)
    with writer.store.engine.begin() as connection:
        connection.execute(sa.update(board).where(*where).values(title=ALTERED, **values))
        if rehash:
            for row in connection.execute(sa.select(board).where(*where)).mappings().all():
                connection.execute(sa.update(board).where(*where, board.c.generation ==
                                                          row["generation"]).values(
                    row_digest=row_digest(row, BOARD_DIGESTED)))


def _titles(output: str) -> set[str]:
    return {milestone["title"] for milestone in json.loads(output)["milestones"]}


def test_status_reads_the_table_when_it_holds_the_answer(writer: LogWriter, q1: Q1Log,
                                                         database_url: str) -> None:
    """A row altered in the table shows in status at the checkpoint's position (given or
    the head), and in no other question: those are built from the facts and the log."""
    Runner(writer.store).catch_up()
    head = writer.store.head().position
    _alter_title(writer, "vctf")
    assert ALTERED in _titles(status(database_url, "--quarter", "2018-19-Q1"))
    assert ALTERED in _titles(status(database_url, "--quarter", "2018-19-Q1",
                                     "--at-position", str(head)))
    for other in (["--at-position", str(head - 1)], ["--effective-at", "2018-06-30"]):
        assert ALTERED not in _titles(status(database_url, "--quarter", "2018-19-Q1", *other))
    writer.record(MilestoneProgressReported(
        milestone_id="vctf", quarter=Q1, status="delivered", as_of=date(2018, 7, 19),
        narrative="Reported again."), when="2018-07-20T09:00")
    assert ALTERED not in _titles(status(database_url, "--quarter", "2018-19-Q1"))


def test_an_edited_board_row_is_not_used_and_is_named(writer: LogWriter, q1: Q1Log,
                                                      database_url: str) -> None:
    """A board row edited in the table without its digest is never shown: status says on
    stderr which row failed and answers from the log, and `projections status` names it."""
    Runner(writer.store).catch_up()
    _alter_title(writer, "vctf", rehash=False)
    result = CliRunner().invoke(main, ["--db", database_url, "status", "--format", "json",
                                       "--quarter", "2018-19-Q1"])
    assert result.exit_code == 0, result.output
    assert ALTERED not in _titles(result.stdout)
    assert "milestone_board row" in result.stderr and "milestone vctf" in result.stderr
    checked = CliRunner().invoke(main, ["--db", database_url, "projections", "status"])
    assert checked.exit_code == 1
    assert "milestone_board row" in checked.output and "milestone vctf" in checked.output


def test_rows_written_before_they_were_kept_whole_are_not_read(writer: LogWriter, q1: Q1Log,
                                                               database_url: str) -> None:
    """A quarter with a row lacking its source type (written before revision pj0005) is
    answered by folding, not from the table."""
    Runner(writer.store).catch_up()
    _alter_title(writer, "vctf", source_type=None)
    assert ALTERED not in _titles(status(database_url, "--quarter", "2018-19-Q1"))
