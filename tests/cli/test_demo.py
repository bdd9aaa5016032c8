"""`opslog demo`: a fresh database filled with the Q1 2018-19 report, once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from click.testing import CliRunner

from commands.sample import HISTORY, history_commands, sample_commands
from eventstore import EventStore
from opslog.cli import main

SAMPLE_SIZE = len(list(sample_commands()))
HISTORY_SIZE = sum(len(list(history_commands(history))) for history in HISTORY)


def test_demo_records_the_sample_and_a_second_run_records_nothing(database_url: str) -> None:
    """The first run says what it recorded; the second finds it all recorded already."""
    first = CliRunner().invoke(main, ["--db", database_url, "demo", "--no-report"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith(
        f"recorded the 2018-19 Quarter 1 report (reported on 30 June 2018): {SAMPLE_SIZE} "
        "commands as")
    assert "6 themes" in first.output and "6 milestones" in first.output
    assert "3 indicators, 6 indicator values, 1 overview" in first.output
    with EventStore.open(database_url) as store:
        head = store.head().position
        assert store.verify().ok
    second = CliRunner().invoke(main, ["--db", database_url, "demo", "--no-report"])
    assert second.exit_code == 0, second.output
    assert second.output.startswith(
        f"nothing new: all {HISTORY_SIZE} sample commands were already recorded")
    with EventStore.open(database_url) as store:
        assert store.head().position == head


def test_demo_has_help() -> None:
    """`opslog demo --help` explains what it does."""
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "2018-19 Quarter 1" in result.output


def test_demo_in_a_real_process_defaults_to_opslog_db(tmp_path: Path) -> None:
    """Run from a directory without --db, the installed `opslog` writes ./opslog.db."""
    opslog = Path(sys.executable).with_name("opslog")
    env = {key: value for key, value in os.environ.items() if key != "OPSLOG_DATABASE_URL"}
    done = subprocess.run([str(opslog), "demo"], cwd=tmp_path, capture_output=True, text=True,
                          check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "opslog.db").exists()
    assert "recorded the 2018-19 Quarter 1 report" in done.stdout
    again = subprocess.run([str(opslog), "demo"], cwd=tmp_path, capture_output=True, text=True,
                           check=False, env=env)
    assert again.returncode == 0 and again.stdout.startswith("nothing new")


def test_demo_ends_with_the_board_and_the_page_s_path(database_url: str, tmp_path: Path) -> None:
    """After recording, the demo shows the board and its summary, writes the page and
    says where: a screenful, not the report's Markdown."""
    page = tmp_path / "q1.html"
    result = CliRunner().invoke(main, ["--db", database_url, "demo", "--html", str(page)])
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").splitlines()
    assert lines[-1] == f"wrote the report as one HTML page: {page}"
    assert "6 milestones: 6 delivered, 0 on track, 0 some delay" in lines[-3]
    assert any(line.startswith("Milestones, 2018-19") for line in lines)
    assert len(lines) < 40
    assert "# Metropolitan Police Service" not in result.output
    html = page.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "increased by 6.4 per cent (777,458 to 827,225 offences)" in html
    quiet = CliRunner().invoke(main, ["--db", database_url, "demo", "--no-report"])
    assert quiet.exit_code == 0 and "Milestones" not in quiet.output


def test_demo_records_the_history_each_file_declared_on_its_date(database_url: str) -> None:
    """The Quarter 1 report and the returns after it are recorded now, each event declaring
    its file's date; run on 1 October 2018, only what was reported by then is recorded and
    the rest is named as not yet reported, then recorded by a later run."""
    with time_machine.travel(datetime(2018, 10, 1, 9, tzinfo=UTC), tick=False):
        early = CliRunner().invoke(main, ["--db", database_url, "demo", "--no-report"])
    assert early.exit_code == 0, early.output
    assert "recorded q2-2018-19 (reported on 30 September 2018): 4 commands" in early.output
    assert ("not yet reported: q3-2018-19.jsonl is reported on 31 December 2018, after today"
            in early.output)
    assert "not yet reported: release-2019-04-25.jsonl" in early.output
    later = CliRunner().invoke(main, ["--db", database_url, "demo", "--no-report"])
    assert later.exit_code == 0, later.output
    assert later.output.splitlines()[0].startswith(
        "recorded q3-2018-19 (reported on 31 December 2018): 1 commands as 1 events")
    with EventStore.open(database_url) as store:
        declared = {event.metadata["command_id"].split("/", 1)[0]:
                    event.metadata["reported_on"] for event in store.read_all()
                    if "reported_on" in event.metadata}
        head = store.head().position
    assert declared == {"q1-2018-19": "2018-06-30", "q2-2018-19": "2018-09-30",
                        "q3-2018-19": "2018-12-31", "release-2019-04-25": "2019-04-25"}
    assert head == 1 + HISTORY_SIZE  # the admin made by the operator, then one event each
