"""Command files: a line over the length cap or the value cap is refused before parsing,
with its number and the limit, and the lines around it go on; memory stays bounded."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from commands.errors import Refused
from commands.files import MAX_LINE_BYTES, MAX_LINE_VALUES, read_commands
from opslog.cli import main

SMALL = {"command": "DefineTheme", "id": "t/1", "data": {"number": 1, "title": "One"}}


def _long_line(size: int) -> bytes:
    head = b'{"command":"DefineTheme","id":"t/2","data":{"title":"'
    return head + b"a" * (size - len(head) - 3) + b'"}}'


def test_an_over_long_line_is_refused_by_number_and_the_others_go_on() -> None:
    small = json.dumps(SMALL).encode()
    source = io.BytesIO(b"\n".join([small, _long_line(MAX_LINE_BYTES + 1), small]) + b"\n")
    read = list(read_commands(source))
    assert [number for number, _item in read] == [1, 2, 3]
    assert read[0][1] == SMALL and read[2][1] == SMALL
    refusal = read[1][1]
    assert isinstance(refusal, Refused)
    assert refusal.reason == (f"the line is longer than {MAX_LINE_BYTES} bytes, the limit for "
                              "one command (not read)")


def test_a_line_at_the_cap_is_read() -> None:
    line = _long_line(MAX_LINE_BYTES)
    read = list(read_commands(io.BytesIO(line + b"\n")))
    assert len(line) == MAX_LINE_BYTES and read[0][1] == json.loads(line)


def test_too_many_values_are_refused_before_parsing() -> None:
    keys = ",".join(f'"k{index}":0' for index in range(MAX_LINE_VALUES + 1))
    text = json.dumps(SMALL) + "\n" + '{"command":"X","id":"x","data":{' + keys + "}}\n"
    read = list(read_commands(io.BytesIO(text.encode())))
    assert read[0][1] == SMALL
    refusal = read[1][1]
    assert isinstance(refusal, Refused) and f"more than {MAX_LINE_VALUES} commas" in (
        refusal.reason)


def test_submit_names_the_over_long_line(tmp_path: Path, sqlite_url: str) -> None:
    assert CliRunner().invoke(main, ["--db", sqlite_url, "init"]).exit_code == 0
    small = json.dumps(SMALL).encode()
    path = tmp_path / "commands.jsonl"
    path.write_bytes(small + b"\n" + _long_line(MAX_LINE_BYTES + 10) + b"\n" + small + b"\n")
    result = CliRunner().invoke(main, ["--db", sqlite_url, "submit", "--dry-run",
                                       "--actor", "it.admin", str(path)])
    assert result.exit_code == 1
    assert f"line 2: refused: json: the line is longer than {MAX_LINE_BYTES} bytes" in (
        result.stdout)
    assert "line 3:" in result.stdout


PEAK = """
import resource, sys
from commands.files import read_commands
with open(sys.argv[1], "rb") as source:
    for _item in read_commands(source):
        pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(path: Path) -> int:
    run = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True,
                         text=True, check=True, timeout=300)
    return int(run.stdout)


def test_a_huge_line_costs_no_more_than_a_line_at_the_cap(tmp_path: Path) -> None:
    """A 64 MB line peaked at over four times its size; now it is skipped in chunks."""
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps(SMALL) + "\n")
    huge = tmp_path / "huge.jsonl"
    huge.write_bytes(_long_line(64 * 1024 * 1024) + b"\n")
    baseline = _peak_kib(small)
    assert _peak_kib(huge) - baseline < 4 * MAX_LINE_BYTES // 1024
