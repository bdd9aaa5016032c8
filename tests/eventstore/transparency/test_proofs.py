"""Proof files: made from stored subtrees and a signed checkpoint, checked offline.

Each attack a kept checkpoint must catch is played here at the level of proofs: a changed
leaf, a fork (another tree of the same size), a truncated log, a checkpoint by another key.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest

from eventstore.transparency.checkpoint import Checkpoint, parse_checkpoint
from eventstore.transparency.compact import CompactTree
from eventstore.transparency.errors import CheckpointError, NoteError, ProofError
from eventstore.transparency.merkle import consistency_proof, inclusion_proof, leaf_hash
from eventstore.transparency.note import Signer
from eventstore.transparency.proofs import (
    ConsistencyProof,
    InclusionProof,
    parse_consistency,
    parse_inclusion,
    verify_consistency_proof,
    verify_inclusion_proof,
)

ORIGIN = "opslog.example/log"
LOG = Signer.generate(ORIGIN)
OTHER = Signer.generate(ORIGIN)


class Log:
    """An in-memory log that keeps subtrees as the store will, and signs checkpoints."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.tree = CompactTree()
        self.kept: dict[tuple[int, int], bytes] = {}
        self.roots = [self.tree.root()]
        for data in leaves:
            for subtree in self.tree.append(leaf_hash(data)):
                self.kept[(subtree.level, subtree.index)] = subtree.hash
            self.roots.append(self.tree.root())

    def subtree(self, level: int, index: int) -> bytes:
        return self.kept[(level, index)]

    def checkpoint(self, size: int, signer: Signer = LOG) -> str:
        return Checkpoint(ORIGIN, size, self.roots[size]).sign(signer)

    def inclusion(self, index: int, size: int) -> str:
        path = inclusion_proof(index, size, self.subtree)
        return InclusionProof(index, tuple(path), self.checkpoint(size)).text()

    def consistency(self, old: int, new: int) -> str:
        hashes = consistency_proof(old, new, self.subtree)
        return ConsistencyProof(old, new, tuple(hashes), self.checkpoint(new)).text()


LEAVES = [f"event {i}".encode() for i in range(20)]
HONEST = Log(LEAVES)
FORKED = Log([*LEAVES[:5], b"event 5, rewritten", *LEAVES[6:]])


def test_an_inclusion_proof_verifies_offline() -> None:
    """The leaf, the log's key and (optionally) the reader's own checkpoint suffice."""
    proof = HONEST.inclusion(7, 20)
    signed = verify_inclusion_proof(proof, leaf_hash(LEAVES[7]), LOG.verifier(), origin=ORIGIN)
    assert signed.checkpoint.size == 20
    kept = parse_checkpoint(HONEST.checkpoint(20).split("\n\n")[0] + "\n")
    verify_inclusion_proof(proof, leaf_hash(LEAVES[7]), LOG.verifier(), kept=kept)


def test_the_tlog_proof_text_is_the_c2sp_layout() -> None:
    """Header, index, one base64 hash per line, a blank line, the checkpoint verbatim."""
    proof = HONEST.inclusion(7, 20)
    lines = proof.split("\n")
    assert lines[:2] == ["c2sp.org/tlog-proof@v1", "index 7"]
    assert proof.endswith("\n\n" + HONEST.checkpoint(20))
    parsed = parse_inclusion(proof)
    assert parsed.path == tuple(inclusion_proof(7, 20, HONEST.subtree))
    with_extra = InclusionProof(7, parsed.path, parsed.checkpoint, b"context").text()
    assert with_extra.split("\n")[1] == "extra " + base64.b64encode(b"context").decode()
    assert parse_inclusion(with_extra).extra == b"context"


def test_the_spec_example_parses() -> None:
    """c2sp.org/tlog-proof's example (its signatures elided) reads as index and five hashes."""
    example = (
        "c2sp.org/tlog-proof@v1\n"
        "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
        "index 73894\n"
        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
        "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
        "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
        "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
        "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
        "\n"
        "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
    )
    parsed = parse_inclusion(example)
    assert parsed.index == 73894
    assert len(parsed.path) == 5
    assert parse_checkpoint(parsed.checkpoint).size == 109482


def test_an_inclusion_proof_for_a_changed_leaf_is_refused() -> None:
    """The event as it is now is not the event the signed root covers."""
    proof = HONEST.inclusion(5, 20)
    with pytest.raises(ProofError, match="leads to root"):
        verify_inclusion_proof(proof, leaf_hash(b"event 5, rewritten"), LOG.verifier())


def test_an_inclusion_proof_against_another_checkpoint_is_refused() -> None:
    """A forked tree's proof verifies on its own, but not against the checkpoint kept."""
    kept = Checkpoint(ORIGIN, 20, HONEST.roots[20])
    forked = FORKED.inclusion(5, 20)
    verify_inclusion_proof(forked, leaf_hash(b"event 5, rewritten"), LOG.verifier())
    with pytest.raises(ProofError, match="is not the one kept"):
        verify_inclusion_proof(forked, leaf_hash(b"event 5, rewritten"), LOG.verifier(), kept=kept)


def test_a_proof_signed_by_another_key_is_refused() -> None:
    """The checkpoint must carry the log key's signature, not just any key of that name."""
    path = inclusion_proof(3, 20, HONEST.subtree)
    proof = InclusionProof(3, tuple(path), HONEST.checkpoint(20, OTHER)).text()
    with pytest.raises(NoteError, match="no signature on the note is by a trusted key"):
        verify_inclusion_proof(proof, leaf_hash(LEAVES[3]), LOG.verifier())


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: t.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"), "start with"),
        (lambda t: t.replace("index 7", "index 07"), "'07' is not a decimal"),
        (lambda t: t.replace("index 7\n", ""), "no index line"),
        (lambda t: t.replace("\n\n", "\n", 1), "no empty line|not base64"),
        (lambda t: t.replace("index 7\n", "index 7\nAAAA\n"), "hash 0 is 3 bytes"),
        (lambda t: t.replace("index 7\n", "index 7\nnot base64\n"), "hash 0 is not base64"),
        (lambda t: t.replace("index 7", "index 20"), "outside a tree of size 20"),
        (lambda t: t.replace("index 7", "index 6"), "leads to root"),
    ],
)
def test_malformed_inclusion_proofs_are_refused(mangle: Callable[[str], str], reason: str) -> None:
    """Each broken line is named."""
    proof = mangle(HONEST.inclusion(7, 20))
    with pytest.raises(ProofError, match=reason):
        verify_inclusion_proof(proof, leaf_hash(LEAVES[7]), LOG.verifier())


def test_a_consistency_proof_verifies_against_the_kept_checkpoint() -> None:
    """The reader's old checkpoint, the log key and the proof file are all it takes."""
    old, new = verify_consistency_proof(
        HONEST.consistency(13, 20), HONEST.checkpoint(13), LOG.verifier(), origin=ORIGIN
    )
    assert (old.checkpoint.size, new.checkpoint.size) == (13, 20)
    same = verify_consistency_proof(HONEST.consistency(13, 13), HONEST.checkpoint(13),
                                    LOG.verifier())
    assert same[0].checkpoint == same[1].checkpoint


def test_a_rewritten_history_is_caught() -> None:
    """Event 5 rewritten and everything re-derived: no proof leads from the kept root."""
    with pytest.raises(ProofError, match="not the expected"):
        verify_consistency_proof(FORKED.consistency(13, 20), HONEST.checkpoint(13), LOG.verifier())


def test_a_fork_of_the_same_size_is_caught() -> None:
    """Two signed checkpoints of one size with different roots are a fork, named so."""
    with pytest.raises(ProofError, match="the log forked"):
        verify_consistency_proof(FORKED.consistency(13, 13), HONEST.checkpoint(13), LOG.verifier())


def test_a_truncated_log_is_caught() -> None:
    """A newer checkpoint smaller than the one kept names both sizes and roots."""
    shrunk = ConsistencyProof(20, 13, (), HONEST.checkpoint(13)).text()
    with pytest.raises(ProofError, match=r"size 13, root .* smaller than the one kept \(size 20"):
        verify_consistency_proof(shrunk, HONEST.checkpoint(20), LOG.verifier())


def test_a_proof_for_other_sizes_is_refused() -> None:
    """The proof's sizes must be the checkpoints' sizes."""
    with pytest.raises(ProofError, match="from size 12 to 20, the checkpoints are of sizes 13"):
        proof = json.loads(HONEST.consistency(13, 20))
        proof["old_size"] = 12
        verify_consistency_proof(json.dumps(proof), HONEST.checkpoint(13), LOG.verifier())


def test_checkpoints_of_another_log_are_refused() -> None:
    """An old checkpoint of another origin, even signed by the same key, is not comparable."""
    other_origin = Checkpoint("elsewhere.example/log", 13, HONEST.roots[13]).sign(LOG)
    with pytest.raises(ProofError, match="checkpoints of two logs"):
        verify_consistency_proof(HONEST.consistency(13, 20), other_origin, LOG.verifier())
    with pytest.raises(CheckpointError, match="not the expected"):
        verify_consistency_proof(HONEST.consistency(13, 20), other_origin, LOG.verifier(),
                                 origin=ORIGIN)


def _edit(change: dict[str, object]) -> str:
    document = json.loads(HONEST.consistency(13, 20))
    document.update(change)
    return json.dumps({k: v for k, v in document.items() if v is not None})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not JSON"),
        ("[]", "must be a JSON object"),
        (_edit({"extra": 1}), "unknown extra"),
        (_edit({"hashes": None}), "missing hashes"),
        (_edit({"format": "tlog-proof"}), "format must be"),
        (_edit({"old_size": True}), "old_size must be a non-negative integer"),
        (_edit({"new_size": -1}), "new_size must be a non-negative integer"),
        (_edit({"old_size": "13"}), "old_size must be a non-negative integer"),
        (_edit({"hashes": "AAAA"}), "hashes must be a list"),
        (_edit({"hashes": ["AAAA"]}), "hash 0 is 3 bytes"),
        (_edit({"checkpoint": 5}), "checkpoint must be"),
    ],
)
def test_malformed_consistency_proofs_are_refused(text: str, reason: str) -> None:
    """Each broken field is named."""
    with pytest.raises(ProofError, match=reason):
        parse_consistency(text)


def test_a_consistency_proof_from_size_0_is_refused() -> None:
    """It would prove nothing, so the file is refused like the bare proof."""
    empty = Checkpoint(ORIGIN, 0, HONEST.roots[0]).sign(LOG)
    proof = ConsistencyProof(0, 20, (), HONEST.checkpoint(20)).text()
    with pytest.raises(ProofError, match="from size 0"):
        verify_consistency_proof(proof, empty, LOG.verifier())
