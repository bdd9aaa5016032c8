"""`opslog import --reenvelope`: a v1 log's export re-sealed into a new database."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner

from eventstore import EventStore
from eventstore.export import export_log
from opslog.cli import main
from tests.eventstore.test_reenvelope import OLD, v1_log  # noqa: F401 (the fixture)


def test_import_reenvelope_moves_a_v1_log_to_v2_and_writes_the_mapping(
        v1_log: EventStore, tmp_path: Path) -> None:  # noqa: F811
    exported = io.BytesIO()
    export_log(v1_log, exported)
    source = tmp_path / "v1.jsonl"
    source.write_bytes(exported.getvalue())
    target = f"sqlite:///{tmp_path / 'v2.db'}"
    mapping = tmp_path / "hashes.jsonl"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", target, "init"]).exit_code == 0
    moved = runner.invoke(main, ["--db", target, "import", str(source),
                                 "--reenvelope", str(mapping)])
    assert moved.exit_code == 0, moved.output
    assert f"re-sealed {OLD} events" in moved.output
    lines = [json.loads(line) for line in mapping.read_text().splitlines()]
    old = {e.position: e.hash for e in v1_log.read_all()}
    with EventStore.open(target) as store:
        new = {e.position: (e.hash, e.envelope) for e in store.read_all()}
    assert lines == [{"position": p, "v1_hash": old[p], "v2_hash": new[p][0]}
                     for p in range(1, OLD + 1)]
    assert {envelope for _, envelope in new.values()} == {2}
    assert runner.invoke(main, ["--db", target, "verify"]).exit_code == 0
    again = runner.invoke(main, ["--db", target, "import", str(source),
                                 "--reenvelope", str(tmp_path / "other.jsonl")])
    assert again.exit_code == 1 and "not empty" in again.output
    assert not (tmp_path / "other.jsonl").exists()
