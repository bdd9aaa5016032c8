"""The README's standard-library recipe really verifies an export, and really refuses one."""

from __future__ import annotations

import ast
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from eventstore import EventStore, NewEvent
from eventstore.export import export_log

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Checking an export without opslog"


def recipe() -> str:
    """The first Python block after the section heading."""
    text = README.read_text(encoding="utf-8")
    assert SECTION in text
    match = re.search(r"```python\n(.*?)```", text.split(SECTION, 1)[1], re.DOTALL)
    assert match is not None
    return match.group(1)


def run_recipe(tmp_path: Path, content: bytes) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "check_export.py"
    script.write_text(recipe(), encoding="utf-8")
    export = tmp_path / "log.jsonl"
    export.write_bytes(content)
    return subprocess.run([sys.executable, "-I", str(script), str(export)],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def exported(store: EventStore) -> tuple[bytes, str]:
    """A real export of a small log (payloads with quotes, newlines and £), and its head."""
    store.append("bcu-south-west", [NewEvent(
        "UnitWentLive", {"boroughs": ["Kingston", "Merton"], "text": 'the "BCU"\nwent live'},
        {"actor": "sw.lead", "unit": "bcu-sw"})])
    store.append("estate-esb", [NewEvent("AssetAcquired", {"price": "£250m"}),
                                NewEvent("AssetNamed", {"name": "ESB \u2028 é"})])
    target = io.BytesIO()
    export_log(store, target)
    return target.getvalue(), store.head().hash


def test_recipe_is_short_and_standard_library_only() -> None:
    """At most ten lines, importing nothing outside Python's standard library."""
    code = recipe()
    assert len(code.strip().splitlines()) <= 10
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not any(isinstance(node, ast.ImportFrom) for node in ast.walk(ast.parse(code)))
    assert imported <= set(sys.stdlib_module_names)


def test_recipe_accepts_a_real_export(tmp_path: Path, exported: tuple[bytes, str]) -> None:
    """On an intact export it exits 0 and prints the log's own head hash."""
    content, head_hash = exported
    result = run_recipe(tmp_path, content)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"ok: 3 events, head hash {head_hash}\n"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"Kingston", b"Kingstom", "line 2 (position 1) does not verify"),
        (b"ESB", b"ESC", "line 4 (position 3) does not verify"),
        (b'"version":2', b'"version":3', "line 4 (position 3) does not verify"),
        (b'"event_count":3', b'"event_count":2', "the header does not match the events"),
    ],
)
def test_recipe_refuses_a_tampered_export(tmp_path: Path, exported: tuple[bytes, str],
                                          old: bytes, new: bytes, message: str) -> None:
    """A one-byte change makes it exit non-zero, naming the line."""
    content, _ = exported
    assert content.count(old) == 1
    result = run_recipe(tmp_path, content.replace(old, new))
    assert result.returncode != 0
    assert message in result.stderr


def test_recipe_refuses_a_truncated_export(tmp_path: Path, exported: tuple[bytes, str]) -> None:
    """A file missing its last event does not match its header."""
    content, _ = exported
    truncated = b"".join(content.splitlines(keepends=True)[:-1])
    result = run_recipe(tmp_path, truncated)
    assert result.returncode != 0
    assert "the header does not match the events" in result.stderr


def _json_blocks(section: str) -> list[dict[str, object]]:
    """The JSON example lines of a README section, parsed."""
    text = README.read_text(encoding="utf-8").split(section, 1)[1].split("\n## ", 1)[0]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, re.DOTALL)]


def _agrees(shown: object, real: object) -> bool:
    """A README value agrees with the real one: equal, or both hashes (the README's shortened
    as `abcd…wxyz`; hashes cover recorded times, which differ from run to run)."""
    if isinstance(shown, str) and "…" in shown:
        return (re.fullmatch(r"[0-9a-f]{4}…[0-9a-f]{4}", shown) is not None
                and re.fullmatch(r"[0-9a-f]{64}", str(real)) is not None)
    return shown == real


def test_the_export_examples_are_lines_opslog_writes(sqlite_url: str, tmp_path: Path) -> None:
    """The README's header, event and commit lines are those of an export of the demo's log
    (same fields in the same order, same stream names and payloads), times aside."""
    from click.testing import CliRunner

    from opslog.cli import main

    assert CliRunner().invoke(main, ["--db", sqlite_url, "demo", "--no-report"]).exit_code == 0
    target = tmp_path / "demo.jsonl"
    assert CliRunner().invoke(main, ["--db", sqlite_url, "export", str(target)]).exit_code == 0
    real = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    header, event, commit = _json_blocks(SECTION)[:3]
    by_position = {line["position"]: line for line in real if "position" in line}
    commits = {line["commit"]["idempotency_key"]: line for line in real if "commit" in line}
    times = {"exported_at", "occurred_at", "recorded_at", "digests", "salts"}  # and salts
    for shown, actual in ((header, real[0]), (event, by_position[event["position"]]),
                          (commit, commits[commit["commit"]["idempotency_key"]])):  # type: ignore[index]
        shown = shown.get("commit", shown)  # type: ignore[assignment]
        actual = actual.get("commit", actual)
        if "metadata" in actual:  # the channel names the machine that ran the demo
            metadata = json.loads(actual["metadata"])
            metadata["channel"].update(json.loads(shown["metadata"])["channel"])
            actual = {**actual, "metadata": json.dumps(metadata, sort_keys=True,
                                                       separators=(",", ":"))}
        assert list(shown) == list(actual)
        assert [key for key in shown if key not in times
                and not _agrees(shown[key], actual[key])] == []
