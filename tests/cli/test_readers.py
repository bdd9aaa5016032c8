"""The readers' commands through the real CLI: status, report and projections."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalogue import EventCorrected
from opslog.cli import main
from projections.fold.state import fold
from tests.projections.builders import open_writer

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def url(q1_url: str) -> str:
    return q1_url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


def test_status_prints_the_board_and_its_summary(url: str) -> None:
    """The table lists the quarter's milestones and ends with the summary line."""
    result = run(url, "status", "--quarter", "2018-19-Q1")
    assert result.exit_code == 0, result.output
    assert "launch of the Violent Crime Task Force" in result.output
    assert "delivered" in result.output and "✓" not in result.output
    assert result.output.rstrip().endswith("6 milestones: 6 delivered, 0 on track, 0 some delay")


@pytest.mark.parametrize("written", ["2018-19-Q1", "2018-19 Q1", "2018/19 Q1"])
def test_quarters_are_read_in_each_accepted_form(url: str, written: str) -> None:
    """``2018-19-Q1``, ``2018-19 Q1`` and ``2018/19 Q1`` name the same quarter."""
    result = run(url, "status", "--quarter", written, "--format", "json")
    assert json.loads(result.stdout)["quarter"] == "2018-19-Q1"


def test_a_malformed_quarter_is_a_clear_error(url: str) -> None:
    """A quarter that does not parse is refused, naming the option, without a traceback."""
    result = run(url, "status", "--quarter", "2018-Q5")
    assert result.exit_code == 2
    assert "Invalid value for '--quarter': '2018-Q5' is not a quarter like 2018-19-Q1" in (
        result.output)
    assert "Traceback" not in result.output


def test_status_as_json_names_the_source_of_every_status(url: str) -> None:
    """The JSON board carries, for every status, its position and event id."""
    form = json.loads(run(url, "status", "--quarter", "2018-19-Q1", "--format", "json").stdout)
    assert form["summary"]["text"] == "6 milestones: 6 delivered, 0 on track, 0 some delay"
    for milestone in form["milestones"]:
        assert milestone["source"]["position"] > 0
        assert len(milestone["source"]["event_id"]) == 36


def test_status_as_csv_has_a_line_per_milestone(url: str) -> None:
    """The CSV board parses, with a header and six milestones."""
    rows = list(csv.DictReader(io.StringIO(
        run(url, "status", "--quarter", "2018-19-Q1", "--format", "csv").stdout)))
    assert [row["milestone_id"] for row in rows][:2] == ["vctf", "live-chat"]
    assert {row["status"] for row in rows} == {"delivered"}


def test_status_as_of_a_time_and_effective_at_a_date(url: str) -> None:
    """Before the progress reports were recorded, nothing was reported yet."""
    result = run(url, "status", "--quarter", "2018-19-Q1", "--as-of", "2018-07-01T00:00:00Z",
                 "--format", "json")
    form = json.loads(result.stdout)
    assert form["summary"]["not_reported"] == 6
    assert form["cutoff"]["as_of"] == "2018-07-01T00:00:00.000000Z"
    early = json.loads(run(url, "status", "--quarter", "2018-19-Q1", "--effective-at",
                           "2018-06-01", "--format", "json").stdout)
    assert early["summary"]["not_reported"] == 6
    assert early["cutoff"]["effective_at"] == "2018-06-01"


def test_bad_cut_offs_are_one_line_errors(url: str) -> None:
    """A naive time, a bad date, both cut-offs, or a position past the head: clear errors."""
    naive = run(url, "status", "--as-of", "2018-07-01T00:00")
    assert naive.exit_code == 2 and "has no time zone" in naive.output
    bad_date = run(url, "status", "--effective-at", "30/06/2018")
    assert bad_date.exit_code == 2 and "is not a date like 2018-06-30" in bad_date.output
    both = run(url, "status", "--as-of", "2018-07-01T00:00:00Z", "--at-position", "3")
    assert (both.exit_code, both.output) == (1, "Error: give --as-of or --at-position, "
                                                "not both\n")
    far = run(url, "status", "--at-position", "100000")
    assert far.exit_code == 1 and "is not in the log" in far.output


def test_report_writes_markdown_html_and_json(url: str, tmp_path: Path) -> None:
    """Each format, to standard output or to a file, from the same report."""
    markdown = run(url, "report", "--quarter", "2018-19-Q1")
    assert markdown.exit_code == 0
    assert "## 2018-19, Quarter 1 (April to June 2018)" in markdown.output
    page = tmp_path / "q1.html"
    written = run(url, "report", "--quarter", "2018-19-Q1", "--format", "html", "-o", str(page))
    assert written.exit_code == 0, written.output
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    form = json.loads(run(url, "report", "--quarter", "2018-19-Q1", "--format", "json").output)
    figure = form["overview"]["paragraphs"][0]["figures"][0]
    assert figure["change"]["percent"] == "6.4"
    assert figure["to"]["source"]["position"] > 0


def test_report_audit_adds_the_provenance(url: str) -> None:
    """By default the report names no position or event id; ``--audit`` adds them, in
    Markdown and in the page, and JSON carries them either way."""
    plain = {form: run(url, "report", "--quarter", "2018-19-Q1", "--format", form)
             for form in ("md", "html")}
    audit = {form: run(url, "report", "--quarter", "2018-19-Q1", "--format", form, "--audit")
             for form in ("md", "html")}
    for form in ("md", "html"):
        assert plain[form].exit_code == 0 and audit[form].exit_code == 0, audit[form].output
        assert "position" not in plain[form].output
        assert "As recorded up to position" in audit[form].output
    assert UUID.search(plain["html"].output) is None
    assert UUID.search(audit["html"].output) is not None
    assert UUID.search(run(url, "report", "--quarter", "2018-19-Q1", "--format",
                           "json").output) is not None


def test_the_report_needs_a_quarter(url: str) -> None:
    """``report`` without ``--quarter`` says so."""
    result = run(url, "report")
    assert result.exit_code == 2 and "Missing option '--quarter'" in result.output


def test_projections_catch_up_rebuild_and_status(url: str) -> None:
    """The read models start unbuilt, catch up, rebuild into a new generation, and say so."""
    assert "not built" in run(url, "projections", "status").output
    assert run(url, "projections", "catch-up").output == "board: generation 1 at position 68\n"
    assert run(url, "projections", "rebuild").output == "board: generation 2 at position 68\n"
    assert run(url, "projections", "status").output == (
        "board: generation 2 at position 68 of 68 (behind by 0)\n")


def test_a_failed_projection_is_reported_in_one_line(url: str) -> None:
    """An event the runner cannot apply: one line naming it, exit 1, status remembers it."""
    writer = open_writer(url, create=False)
    writer.count = 10_000  # ids apart from those load_q1 gave
    target = next(iter(fold(writer.store.read_all()).records.values()))
    writer.one(EventCorrected(target_event_id=target.event_id, target_stream_id="theme-9",
                              target_type=target.type, changes={"title": "x"}, reason="r"))
    writer.store.close()
    result = run(url, "projections", "catch-up")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith("Error: stopped at position 68: event 69 (EventCorrected")
    assert "failed: stopped at position 68" in run(url, "projections", "status").output


def test_projections_status_without_init_says_to_run_it(tmp_path: Path) -> None:
    """A database without the read model tables gets a pointer to ``opslog init``."""
    from eventstore import EventStore

    url = f"sqlite:///{tmp_path / 'bare.db'}"
    EventStore.open(url, create=True).close()
    result = run(url, "projections", "status")
    assert (result.exit_code, result.output) == (
        1, "Error: the read model tables are missing: run `opslog init`\n")


def test_the_installed_command_renders_a_report(url: str, tmp_path: Path) -> None:
    """End to end through a real process: ``opslog report`` writes the page."""
    page = tmp_path / "report.html"
    opslog = Path(sys.executable).parent / "opslog"
    subprocess.run([str(opslog), "--db", url, "report", "--quarter",
                    "2018-19-Q1", "--format", "html", "-o", str(page)], check=True,
                   capture_output=True)
    assert "<svg" in page.read_text(encoding="utf-8")
