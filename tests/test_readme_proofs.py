"""The README's proof recipe (standard library and `cryptography` only) really checks a
checkpoint's signature, an inclusion proof and a consistency proof, and refuses bad ones."""

from __future__ import annotations

import ast
import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventstore import EventStore, NewEvent
from opslog.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Checking proofs without opslog"


def recipe() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", text.split(SECTION, 1)[1], re.DOTALL)
    assert match is not None
    return match.group(1)


def test_recipe_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(recipe())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {str(node.module).split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


@pytest.fixture
def files(sqlite_url: str, tmp_path: Path) -> dict[str, Path]:
    """A log of 13 events, its key, checkpoints at 5 and 13, and proofs (made by opslog)."""
    with EventStore.open(sqlite_url, create=True) as store:
        for n in range(13):
            store.append(f"unit-{n % 3}", [NewEvent("Reported", {"n": n, "text": "£250m"})])

    def run(*args: str | Path) -> str:
        result = CliRunner().invoke(main, ["--db", sqlite_url, *map(str, args)])
        assert result.exit_code == 0, result.output
        return result.output

    paths = {name: tmp_path / name for name in
             ("log.key", "log.pub", "old", "new", "inclusion", "consistency", "zero")}
    paths["log.pub"].write_text(run("keys", "generate", "--out", paths["log.key"]))
    paths["old"].write_text(run("checkpoint", "--key", paths["log.key"], "--size", "5"))
    paths["zero"].write_text(run("checkpoint", "--key", paths["log.key"], "--size", "0"))
    paths["new"].write_text(run("checkpoint", "--key", paths["log.key"]))
    paths["inclusion"].write_text(run("prove", "inclusion", "9"))
    paths["consistency"].write_text(run("prove", "consistency", "--from-size", "5"))
    return paths


def check(tmp_path: Path, files: dict[str, Path], kept: str, proof: str | Path
          ) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "check_proof.py"
    script.write_text(recipe(), encoding="utf-8")
    if isinstance(proof, str):
        (tmp_path / "proof").write_text(proof)
        proof = tmp_path / "proof"
    return subprocess.run([sys.executable, str(script), str(files["log.pub"]),
                           str(files[kept]), str(proof)],
                          capture_output=True, text=True, timeout=60, check=False)


def test_recipe_accepts_real_proofs(tmp_path: Path, files: dict[str, Path]) -> None:
    included = check(tmp_path, files, "new", files["inclusion"])
    assert included.returncode == 0, included.stderr
    assert included.stdout.startswith("ok: event ") and "is leaf 8 of size 13" in included.stdout
    extended = check(tmp_path, files, "old", files["consistency"])
    assert extended.returncode == 0, extended.stderr
    assert extended.stdout == "ok: size 13 extends size 5\n"


def _hash_line(text: str, number: int, value: bytes) -> str:
    lines = text.split("\n")
    lines[number] = base64.b64encode(value).decode()
    return "\n".join(lines)


def test_recipe_refuses_bad_proofs(tmp_path: Path, files: dict[str, Path]) -> None:
    inclusion = files["inclusion"].read_text()
    consistency = json.loads(files["consistency"].read_text())
    first = base64.b64decode(inclusion.split("\n")[3])
    bad = {
        "a changed path hash": ("new", _hash_line(inclusion, 3, bytes(32))),
        "a 31-byte hash": ("new", _hash_line(inclusion, 3, first[:31])),
        "a path one hash short": ("new", "\n".join(
            line for n, line in enumerate(inclusion.split("\n")) if n != 3)),
        "another checkpoint": ("old", inclusion),
        "a changed event": ("new", inclusion.replace(
            inclusion.split("\n")[1], "extra " + base64.b64encode(b"9\nforged").decode())),
        "a wrong consistency size": ("old", json.dumps({**consistency, "old_size": 6})),
        "a consistency hash dropped": ("old", json.dumps(
            {**consistency, "hashes": consistency["hashes"][:-1]})),
        "consistency from size 0": ("zero", json.dumps({**consistency, "old_size": 0})),
    }
    for why, (kept, proof) in bad.items():
        result = check(tmp_path, files, kept, proof)
        assert result.returncode != 0, why
        assert "fails" in result.stderr, (why, result.stderr)


def test_recipe_refuses_a_checkpoint_of_another_key(tmp_path: Path,
                                                    files: dict[str, Path]) -> None:
    other = tmp_path / "other.key"
    result = CliRunner().invoke(main, ["keys", "generate", "--out", str(other)])
    files["log.pub"].write_text(result.output)
    refused = check(tmp_path, files, "new", files["inclusion"])
    assert refused.returncode != 0
    assert "not signed by the log's key" in refused.stderr


def test_the_export_recipe_skips_checkpoint_lines(sqlite_url: str, tmp_path: Path,
                                                  files: dict[str, Path]) -> None:
    """An export carrying checkpoints still passes the README's export recipe."""
    from tests.test_readme import run_recipe

    target = tmp_path / "log.jsonl"
    result = CliRunner().invoke(main, ["--db", sqlite_url, "export", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().count(b'{"checkpoint":') == 3
    checked = run_recipe(tmp_path, target.read_bytes())
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("ok: 13 events")
