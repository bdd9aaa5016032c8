"""Recorded text reaches the terminal as text: no escape sequence acts, no markup is read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine

from opslog.scheduler.jobs import close_quarters
from tests.cli.hostile import (
    ESCAPES,
    MARKUP,
    MATHS,
    QUARTER,
    ok,
    record_escapes,
    record_markup,
    record_maths_indicator,
    record_sample,
    run,
    submit,
)

RECORDED = datetime(2018, 7, 15, 12, 0, tzinfo=UTC)
NEXT_CLOSED = datetime(2018, 10, 15, 12, 0, tzinfo=UTC)
"""Recorded in Quarter 2 of 2018-19; the job runs once that quarter has closed."""
ACTING = ("\x1b", "\x07", "\x9b", "\u202e")
"""ESC, BEL, the C1 CSI and the bidi override: none may reach the terminal."""


def _acting(output: str) -> list[str]:
    return [repr(character) for character in ACTING if character in output]


def test_status_log_history_and_submit_send_no_escape_sequence(database_url: str) -> None:
    """Each sequence is shown as visible text (``\\x1b]52;…``); no ESC or BEL byte is sent."""
    record_sample(database_url)
    submitted = record_escapes(database_url)
    assert submitted.exit_code == 0, submitted.output
    refused = submit(database_url, [{"command": f"Schedule{ESCAPES['clipboard write (OSC 52)']}",
                                     "id": "hostile/refused", "data": {}}])
    assert refused.exit_code == 1
    outputs = {
        "status": ok("--db", database_url, "status", "--quarter", QUARTER),
        "log": ok("--db", database_url, "log", "--reverse", "--limit", "2"),
        "history": ok("--db", database_url, "history", "milestone-hostile-escapes"),
        "submit": refused.output,
    }
    sent = {command: _acting(output) for command, output in outputs.items()}
    assert sent == {command: [] for command in outputs}
    assert "\\x1b]52;c;" in outputs["history"]
    assert "\\x1b]52;c;" in outputs["submit"]


def test_rich_markup_in_a_title_is_shown_literally(database_url: str) -> None:
    """``[/shared/estates]`` does not crash the board and ``[phase 2]`` does not vanish."""
    record_sample(database_url)
    assert record_markup(database_url).exit_code == 0
    board = ok("--db", database_url, "status", "--quarter", QUARTER)
    squeezed = "".join(board.split())
    for markup in MARKUP:
        assert "".join(markup.split()) in squeezed


def test_an_indicator_named_like_maths_is_drawn_as_typed(database_url: str) -> None:
    """``$\\foo$`` is text to matplotlib: the HTML report, `snapshot create` and the
    quarter-close job all succeed, and the page shows the name as recorded."""
    record_sample(database_url)
    record_maths_indicator(database_url)
    page = ok("--db", database_url, "report", "--quarter", QUARTER, "--format", "html")
    assert MATHS in page
    assert "<title>Bar chart of $\\foo$ offences ($x$)" in page  # the chart's name, as typed
    assert ">$x$</text>" in page  # its axis label, drawn by matplotlib as typed
    made = run("--db", database_url, "snapshot", "create", "--quarter", QUARTER,
               "--actor", "performance.analyst")
    assert made.exit_code == 0, (made.output, made.exception)
    assert "made snapshot" in made.output
    shown = json.loads(ok("--db", database_url, "snapshot", "list", "--format", "json"))
    assert len(shown) == 1


def test_the_quarter_close_job_snapshots_an_indicator_named_like_maths(
        database_url: str) -> None:
    """The scheduler's job renders the same charts: it makes its snapshot, no exception."""
    with time_machine.travel(RECORDED, tick=True):
        record_sample(database_url)
        record_maths_indicator(database_url)
    with time_machine.travel(NEXT_CLOSED, tick=True):
        caught_up = close_quarters(database_url, grace_days=0)
    assert "2018-19-Q2" in [str(taken.info.quarter) for taken in caught_up.created]
