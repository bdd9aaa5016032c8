"""The binary exports through the real CLI: ``status --format xlsx|ods`` and
``report --format pdf``, each written with ``-o``."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from opslog.cli import main

QUARTER = ("--quarter", "2018-19-Q1")


@pytest.fixture
def url(q1_url: str) -> str:
    return q1_url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


@pytest.mark.parametrize("command", [["status", "--format", "xlsx"],
                                     ["status", "--format", "ods"],
                                     ["report", "--format", "pdf"]])
def test_a_binary_format_without_a_file_is_refused(url: str, command: list[str],
                                                   tmp_path: Path) -> None:
    """A terminal cannot show a workbook or a PDF: one line asks for -o, nothing printed."""
    result = run(url, *command, *QUARTER)
    assert result.exit_code == 1
    assert result.output == (f"Error: --format {command[2]}: a binary format, give -o FILE "
                             "to write it to\n")


def test_the_table_is_not_written_to_a_file(url: str, tmp_path: Path) -> None:
    """``-o`` with the terminal table is refused, naming the formats that can be written."""
    target = tmp_path / "board.txt"
    result = run(url, "status", *QUARTER, "-o", str(target))
    assert result.exit_code == 1
    assert "give --format csv, json, xlsx or ods" in result.output
    assert not target.exists()


def test_status_writes_the_board_as_xlsx_with_the_csv_rows(url: str, tmp_path: Path) -> None:
    """The workbook's Milestones sheet holds the CSV board's rows, numbers as numbers."""
    target = tmp_path / "board.xlsx"
    result = run(url, "status", *QUARTER, "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote {target} (2018-19-Q1, position" in result.output
    board = list(csv.reader(io.StringIO(run(url, "status", *QUARTER, "--format",
                                            "csv").stdout, newline="")))
    sheet = load_workbook(target)["Milestones"]
    rows = [[("" if cell.value is None else str(cell.value)) for cell in row]
            for row in sheet.iter_rows()]
    assert rows == board
    assert all(row[12].data_type == "n" for row in sheet.iter_rows(min_row=2))


def test_ods_and_xlsx_are_the_same_bytes_from_two_processes(url: str, tmp_path: Path) -> None:
    """Each format, written by two runs of the installed command, gives identical files."""
    opslog = Path(sys.executable).parent / "opslog"
    for suffix in ("xlsx", "ods"):
        written = []
        for attempt in (1, 2):
            target = tmp_path / f"board-{attempt}.{suffix}"
            subprocess.run([str(opslog), "--db", url, "status", *QUARTER, "--format", suffix,
                            "-o", str(target)], check=True, capture_output=True)
            written.append(target.read_bytes())
        assert written[0] == written[1]
        assert zipfile.is_zipfile(io.BytesIO(written[0]))


def test_report_writes_a_pdf(url: str, tmp_path: Path) -> None:
    """``report --format pdf -o FILE`` writes a PDF and says where."""
    target = tmp_path / "report.pdf"
    result = run(url, "report", *QUARTER, "--format", "pdf", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote {target} (2018-19-Q1, position" in result.output
    assert target.read_bytes().startswith(b"%PDF-1.7")


def test_the_cli_starts_without_loading_the_export_libraries() -> None:
    """XlsxWriter, odfpy and WeasyPrint load only when an export is written: starting the
    CLI (``opslog --help``) does not pay for them."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, opslog.cli; print(sorted(name for name in "
         "('xlsxwriter', 'odf', 'weasyprint') if name in sys.modules))"],
        check=True, capture_output=True, text=True).stdout
    assert loaded == "[]\n"
