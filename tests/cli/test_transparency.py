"""keys, checkpoint, prove, verify-proof, witness cosign and verify --against, end to end."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from eventstore import EventStore, NewEvent, canonical_json
from eventstore.tree import forget_cached_borders
from opslog.cli import main
from tests.eventstore.tampering import drop_immutability, rewrite_history


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture
def keyed(q1_url: str, tmp_path: Path) -> tuple[str, Path, Path]:
    """The Q1 log, its signing key file and its public key file."""
    key = tmp_path / "log.key"
    made = run("--db", q1_url, "keys", "generate", "--out", key)
    assert made.exit_code == 0, made.output
    public = tmp_path / "log.pub"
    public.write_text(made.output)
    return q1_url, key, public


def test_the_key_file_is_private_and_never_replaced(keyed: tuple[str, Path, Path]) -> None:
    url, key, public = keyed
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("PRIVATE+KEY+opslog.example/")
    again = run("--db", url, "keys", "generate", "--out", key)
    assert again.exit_code != 0
    assert "--out" in again.output and "already exists" in again.output
    assert "Traceback" not in again.output
    shown = run("keys", "public", "--key", key)
    assert shown.output == public.read_text()
    from_env = run("keys", "public", env={"OPSLOG_SIGNING_KEY": key.read_text()})
    assert from_env.output == public.read_text()
    missing = run("keys", "public", env={"OPSLOG_SIGNING_KEY": ""})
    assert missing.exit_code != 0 and "OPSLOG_SIGNING_KEY" in missing.output
    bad = run("keys", "public", "--key", public)
    assert bad.exit_code != 0 and "not a signing key" in bad.output


def test_checkpoint_prove_and_verify_offline(keyed: tuple[str, Path, Path],
                                             tmp_path: Path) -> None:
    url, key, public = keyed
    made = run("--db", url, "checkpoint", "--key", key, "--size", "10")
    assert made.exit_code == 0, made.output
    old = tmp_path / "old.checkpoint"
    old.write_text(made.output)
    new = tmp_path / "new.checkpoint"
    new.write_text(run("--db", url, "checkpoint", "--key", key).output)
    size = int(new.read_text().split("\n")[1])
    assert size > 10

    proof = tmp_path / "inclusion.proof"
    proof.write_text(run("--db", url, "prove", "inclusion", "7").output)  # newest checkpoint
    assert proof.read_text().startswith("c2sp.org/tlog-proof@v1\n")
    checked = run("verify-proof", proof, "--checkpoint", new, "--key", public)
    assert checked.exit_code == 0, checked.output
    assert "at position 7 " in checked.output and f"size {size}" in checked.output

    consistency = tmp_path / "consistency.json"
    consistency.write_text(run("--db", url, "prove", "consistency", "--from-size", "10").output)
    checked = run("verify-proof", consistency, "--checkpoint", old, "--key", public)
    assert checked.exit_code == 0, checked.output
    assert f"size {size}" in checked.output and "size 10" in checked.output

    # Refused: another checkpoint than the one the proof is for; a hash of 31 bytes; a
    # path one hash short; a wrong size; a proof from size 0; another log's key.
    wrong = run("verify-proof", proof, "--checkpoint", old, "--key", public)
    assert wrong.exit_code != 0 and "is not the one kept" in wrong.output
    lines = proof.read_text().split("\n")
    short = lines.copy()
    short[3] = base64.b64encode(base64.b64decode(short[3])[:31]).decode()
    _refused(tmp_path, "\n".join(short), new, public, "31 bytes")
    _refused(tmp_path, "\n".join(lines[:3] + lines[4:]), new, public, "it needs exactly")
    document = json.loads(consistency.read_text())
    _refused(tmp_path, json.dumps({**document, "old_size": 11}), old, public,
             "the proof is from size 11")
    _refused(tmp_path, json.dumps({**document, "old_size": 0}), old, public, "size 0")
    other = tmp_path / "other.key"
    other_public = run("keys", "generate", "--out", other, "--name", "other.example/log")
    other_pub = tmp_path / "other.pub"
    other_pub.write_text(other_public.output)
    _refused(tmp_path, proof.read_text(), new, other_pub, "trusted key")


def _refused(tmp_path: Path, text: str, checkpoint: Path, key: Path, why: str) -> None:
    bad = tmp_path / "bad.proof"
    bad.write_text(text)
    result = run("verify-proof", bad, "--checkpoint", checkpoint, "--key", key)
    assert result.exit_code != 0, result.output
    assert why in result.output
    assert "Traceback" not in result.output


def test_prove_without_a_checkpoint_or_beyond_the_log_is_refused(
        keyed: tuple[str, Path, Path]) -> None:
    url, key, _ = keyed
    none = run("--db", url, "prove", "inclusion", "1", env={"OPSLOG_SIGNING_KEY": ""})
    assert none.exit_code != 0 and "no checkpoint" in none.output
    beyond = run("--db", url, "prove", "inclusion", "1", "--size", "100000", "--key", key)
    assert beyond.exit_code != 0 and "--size" in beyond.output
    zero = run("--db", url, "prove", "consistency", "--from-size", "0", "--key", key)
    assert zero.exit_code != 0 and "--from-size" in zero.output


def test_witness_cosigns_growth_and_refuses_a_rewrite(keyed: tuple[str, Path, Path],
                                                     tmp_path: Path) -> None:
    url, key, public = keyed
    witness_key = tmp_path / "witness.key"
    run("keys", "generate", "--out", witness_key, "--name", "audit.example/witness")
    state = tmp_path / "witness"
    cosign = ("witness", "cosign", "--log", url, "--log-key", public, "--key", witness_key,
              "--state", state)
    run("--db", url, "checkpoint", "--key", key)
    first = run(*cosign)
    assert first.exit_code == 0, first.output
    assert "— audit.example/witness " in first.output
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(first.output)
    size = int(first.output.split("\n")[1])

    store = EventStore.open(url)
    try:
        store.append("unit-extra", [NewEvent("Reported", {"n": 1})])
        run("--db", url, "checkpoint", "--key", key)
        assert run(*cosign).exit_code == 0
        assert run("--db", url, "verify", "--against", kept, "--key", public).exit_code == 0

        drop_immutability(store.engine)

        def reprice(rows: list[dict[str, object]]) -> None:
            rows[2]["data"] = canonical_json({**json.loads(str(rows[2]["data"])), "x": 1})

        rewrite_history(store.engine, reprice)
        run("--db", url, "checkpoint", "--key", key)
        refused = run(*cosign)
        assert refused.exit_code != 0
        assert "not consistent" in refused.output and f"size {size + 1}" in refused.output
        against = run("--db", url, "verify", "--against", kept, "--key", public)
        assert against.exit_code != 0
        assert f"tree at size {size} has root" in against.output
    finally:
        store.close()
        forget_cached_borders()


def test_witness_from_a_proof_file_refuses_a_smaller_tree(keyed: tuple[str, Path, Path],
                                                          tmp_path: Path) -> None:
    url, key, public = keyed
    witness_key = tmp_path / "witness.key"
    run("keys", "generate", "--out", witness_key, "--name", "audit.example/witness")
    state = tmp_path / "witness"
    small = tmp_path / "small.checkpoint"
    small.write_text(run("--db", url, "checkpoint", "--key", key, "--size", "5").output)
    large = tmp_path / "large.checkpoint"
    large.write_text(run("--db", url, "checkpoint", "--key", key, "--size", "9").output)
    cosign = ("witness", "cosign", "--log-key", public, "--key", witness_key, "--state", state)
    assert run(*cosign, "--log", large).exit_code == 0
    refused = run(*cosign, "--log", small)
    assert refused.exit_code != 0
    assert "size 5" in refused.output and "smaller" in refused.output and "size 9" in refused.output
    proof = tmp_path / "proof.json"
    proof.write_text(run("--db", url, "prove", "consistency", "--from-size", "9", "--to-size",
                         "12", "--key", key).output)
    grown = run(*cosign, "--log", proof)
    assert grown.exit_code == 0, grown.output
    assert (state / "checkpoint").read_text().split("\n")[1] == "12"


def test_witness_from_exports_cosigns_growth_and_refuses_a_rewrite(
        keyed: tuple[str, Path, Path], tmp_path: Path) -> None:
    """Handed export files instead of the database, the witness checks the newest checkpoint
    in each against a proof computed from the file's own events."""
    url, key, public = keyed
    witness_key = tmp_path / "witness.key"
    run("keys", "generate", "--out", witness_key, "--name", "audit.example/witness")
    state = tmp_path / "witness"
    cosign = ("witness", "cosign", "--log-key", public, "--key", witness_key, "--state", state)
    run("--db", url, "checkpoint", "--key", key, "--size", "7")
    first = tmp_path / "first.jsonl"
    assert run("--db", url, "export", first).exit_code == 0
    assert run(*cosign, "--log", first).exit_code == 0
    run("--db", url, "checkpoint", "--key", key)
    second = tmp_path / "second.jsonl"
    assert run("--db", url, "export", second).exit_code == 0
    grown = run(*cosign, "--log", second)
    assert grown.exit_code == 0, grown.output
    size = int(grown.output.split("\n")[1])
    assert size > 7

    store = EventStore.open(url)
    try:
        drop_immutability(store.engine)

        def reprice(rows: list[dict[str, object]]) -> None:
            rows[3]["data"] = canonical_json({**json.loads(str(rows[3]["data"])), "x": 1})

        rewrite_history(store.engine, reprice)
        store.append("unit-extra", [NewEvent("Reported", {"n": 1})])
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM checkpoints")
    finally:
        store.close()
        forget_cached_borders()
    run("--db", url, "checkpoint", "--key", key)
    third = tmp_path / "third.jsonl"
    assert run("--db", url, "export", third).exit_code == 0
    refused = run(*cosign, "--log", third)
    assert refused.exit_code != 0
    assert "not consistent" in refused.output and f"size {size}" in refused.output
    broken = tmp_path / "broken.jsonl"
    lines = third.read_bytes().splitlines(keepends=True)
    event = json.loads(lines[4])
    event["type"] = event["type"] + "X"
    lines[4] = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    broken.write_bytes(b"".join(lines))
    damaged = run(*cosign, "--log", broken)
    assert damaged.exit_code != 0 and "does not verify" in damaged.output


def test_verify_export_and_import_check_checkpoint_signatures_with_the_key(
        keyed: tuple[str, Path, Path], tmp_path: Path) -> None:
    """Without --key the output says the signatures were not checked; with the log's key
    they are, and a checkpoint re-signed by another key is refused with nothing imported."""
    url, key, public = keyed
    assert run("--db", url, "checkpoint", "--key", key).exit_code == 0
    export = tmp_path / "log.jsonl"
    assert run("--db", url, "export", export).exit_code == 0
    unchecked = run("verify-export", export)
    assert unchecked.exit_code == 0, unchecked.output
    assert "checkpoints: 1, roots match the events; signatures NOT checked" in unchecked.output
    checked = run("verify-export", export, "--key", public)
    assert checked.exit_code == 0, checked.output
    assert "signatures verify with the log key opslog.example/" in checked.output

    other = tmp_path / "other.key"
    assert run("--db", url, "keys", "generate", "--out", other).exit_code == 0
    other_public = tmp_path / "other.pub"
    other_public.write_text(run("keys", "public", "--key", other).output)
    wrong = run("verify-export", export, "--key", other_public)
    assert wrong.exit_code == 1 and "export BROKEN at line" in wrong.output
    assert "its signature does not verify with the log key" in wrong.output
    assert "Traceback" not in wrong.output
    bad_key = run("verify-export", export, "--key", "not a key")
    assert bad_key.exit_code != 0 and "--key" in bad_key.output

    target = f"sqlite:///{tmp_path / 'copy.db'}"
    assert run("--db", target, "init").exit_code == 0
    refused = run("--db", target, "import", export, "--key", other_public)
    assert refused.exit_code != 0 and "its signature does not verify" in refused.output
    assert "Traceback" not in refused.output
    with EventStore.open(target) as copy:
        assert copy.head().position == 0
    imported = run("--db", target, "import", export, "--key", public)
    assert imported.exit_code == 0, imported.output
    assert "signatures verify with the log key" in imported.output
