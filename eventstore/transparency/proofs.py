"""Proofs as files: made from a signed checkpoint, checked offline with a public key.

Why: an auditor must be able to check a proof with nothing but the log's verifier key and
the checkpoint they kept, never trusting the database that produced it.

Inclusion proofs use C2SP tlog-proof (c2sp.org/tlog-proof@v1), so other tooling reads them:

    c2sp.org/tlog-proof@v1
    extra <base64 opaque data>          (optional, never trusted)
    index <zero-based leaf index, decimal>
    <base64 hash>                       (one per line: RFC 9162 section 2.1.3.1 PATH,
    ...                                  leaf's sibling first)
    <empty line>
    <the signed checkpoint, verbatim>

C2SP defines no consistency proof file, so it is this JSON object (keys exactly these):

    {"format": "opslog/consistency-proof@v1",
     "old_size": M, "new_size": N,
     "hashes": ["<base64>", ...],       RFC 9162 section 2.1.4.1 PROOF(M, D[0:N])
     "checkpoint": "<the signed checkpoint of size N, verbatim>"}

It is checked against the old checkpoint the reader kept: both must be signed by the log,
have one origin, and the proof must lead from the old root to the new one.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from eventstore.transparency.checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint
from eventstore.transparency.errors import ProofError
from eventstore.transparency.merkle import HASH_SIZE, verify_consistency, verify_inclusion
from eventstore.transparency.note import Verifier

TLOG_PROOF = "c2sp.org/tlog-proof@v1"
CONSISTENCY_FORMAT = "opslog/consistency-proof@v1"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(f"{what} is not base64") from None
    if _b64(raw) != text:
        raise ProofError(f"{what} is not canonical base64")
    return raw


def _hash(text: str, what: str) -> bytes:
    raw = _unb64(text, what)
    if len(raw) != HASH_SIZE:
        raise ProofError(f"{what} is {len(raw)} bytes, not a {HASH_SIZE}-byte SHA-256 hash")
    return raw


@dataclass(frozen=True)
class InclusionProof:
    """A leaf index, its RFC 9162 path, and the signed checkpoint the path leads to."""

    index: int
    path: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        """The proof as a c2sp.org/tlog-proof@v1 file."""
        lines = [TLOG_PROOF]
        if self.extra is not None:
            lines.append(f"extra {_b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(_b64(h) for h in self.path)
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_inclusion(text: str) -> InclusionProof:
    """Read a tlog-proof file strictly, naming the line that is wrong."""
    head, blank, checkpoint = text.partition("\n\n")
    if not blank:
        raise ProofError("tlog-proof has no empty line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF:
        raise ProofError(f"tlog-proof must start with the line {TLOG_PROOF}")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        extra = _unb64(rest.pop(0)[len("extra ") :], "tlog-proof extra data")
    if not rest or not rest[0].startswith("index "):
        raise ProofError("tlog-proof has no index line")
    index_text = rest.pop(0)[len("index ") :]
    if not _DECIMAL.fullmatch(index_text):
        raise ProofError(f"tlog-proof index {index_text!r} is not a decimal number")
    path = tuple(_hash(line, f"tlog-proof hash {n}") for n, line in enumerate(rest))
    return InclusionProof(int(index_text), path, checkpoint, extra)


def _same_tree(signed: Checkpoint, kept: Checkpoint | None) -> None:
    if kept is not None and (kept.origin, kept.size, kept.root) != (
        signed.origin,
        signed.size,
        signed.root,
    ):
        raise ProofError(
            f"the proof's checkpoint (size {signed.size}, root {signed.root.hex()}) is not "
            f"the one kept (size {kept.size}, root {kept.root.hex()})"
        )


def verify_inclusion_proof(
    text: str,
    leaf: bytes,
    log: Verifier,
    *,
    witnesses: Sequence[Verifier] = (),
    origin: str | None = None,
    kept: Checkpoint | None = None,
) -> SignedCheckpoint:
    """Check a tlog-proof: the log signed its checkpoint, and `leaf` is at its index.

    With `kept`, the checkpoint must also be that one (the reader's own copy). Returns the
    verified checkpoint; raises a `TransparencyError` saying why otherwise.
    """
    proof = parse_inclusion(text)
    signed = open_checkpoint(proof.checkpoint, log, witnesses, origin)
    _same_tree(signed.checkpoint, kept)
    checkpoint = signed.checkpoint
    verify_inclusion(proof.index, checkpoint.size, leaf, proof.path, checkpoint.root)
    return signed


@dataclass(frozen=True)
class ConsistencyProof:
    """RFC 9162 PROOF(old_size, D[0:new_size]) and the signed checkpoint of new_size."""

    old_size: int
    new_size: int
    hashes: tuple[bytes, ...]
    checkpoint: str

    def text(self) -> str:
        """The proof as its documented JSON object, one line, ending with a newline."""
        document = {
            "format": CONSISTENCY_FORMAT,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "hashes": [_b64(h) for h in self.hashes],
            "checkpoint": self.checkpoint,
        }
        return json.dumps(document, ensure_ascii=False) + "\n"


def _size(document: dict[str, object], key: str) -> int:
    value = document[key]
    if type(value) is not int or value < 0:
        raise ProofError(f"consistency proof {key} must be a non-negative integer")
    return value


def parse_consistency(text: str) -> ConsistencyProof:
    """Read a consistency proof's JSON strictly, naming the field that is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProofError(f"consistency proof is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ProofError("consistency proof must be a JSON object")
    expected = {"format", "old_size", "new_size", "hashes", "checkpoint"}
    if set(document) != expected:
        missing = ", ".join(sorted(expected - set(document))) or "none"
        unknown = ", ".join(sorted(set(document) - expected)) or "none"
        raise ProofError(f"consistency proof fields: missing {missing}; unknown {unknown}")
    if document["format"] != CONSISTENCY_FORMAT:
        raise ProofError(f"consistency proof format must be {CONSISTENCY_FORMAT!r}")
    hashes = document["hashes"]
    if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
        raise ProofError("consistency proof hashes must be a list of base64 strings")
    checkpoint = document["checkpoint"]
    if not isinstance(checkpoint, str):
        raise ProofError("consistency proof checkpoint must be the signed checkpoint's text")
    return ConsistencyProof(
        _size(document, "old_size"),
        _size(document, "new_size"),
        tuple(_hash(h, f"consistency proof hash {n}") for n, h in enumerate(hashes)),
        checkpoint,
    )


def verify_consistency_proof(
    text: str,
    old_checkpoint: str,
    log: Verifier,
    *,
    witnesses: Sequence[Verifier] = (),
    origin: str | None = None,
) -> tuple[SignedCheckpoint, SignedCheckpoint]:
    """Check that the proof's new checkpoint extends `old_checkpoint` (a signed note).

    Both checkpoints must be signed by `log` and name one origin, and their sizes must be
    the proof's. Returns (old, new); raises a `TransparencyError` saying why otherwise.
    """
    proof = parse_consistency(text)
    old = open_checkpoint(old_checkpoint, log, witnesses, origin)
    new = open_checkpoint(proof.checkpoint, log, witnesses, origin)
    a, b = old.checkpoint, new.checkpoint
    if a.origin != b.origin:
        raise ProofError(f"checkpoints of two logs: {a.origin!r} and {b.origin!r}")
    if b.size < a.size:
        raise ProofError(
            f"the new checkpoint (size {b.size}, root {b.root.hex()}) is smaller than the "
            f"one kept (size {a.size}, root {a.root.hex()}): the log was truncated"
        )
    if (proof.old_size, proof.new_size) != (a.size, b.size):
        raise ProofError(
            f"the proof is from size {proof.old_size} to {proof.new_size}, "
            f"the checkpoints are of sizes {a.size} and {b.size}"
        )
    verify_consistency(a.size, b.size, a.root, b.root, proof.hashes)
    return old, new
