"""C2SP tlog-checkpoint: the signed statement "this log had this root at this size".

Why: an auditor who keeps one checkpoint can later demand a consistency proof from it, so
the log's owner can no longer rewrite, reorder or truncate history unseen. The text is
c2sp.org/tlog-checkpoint: the origin (the log's identity), the tree size in decimal without
leading zeroes, the base64 RFC 9162 root hash, optional non-empty extension lines, each
ending with a newline; it travels as the text of a signed note (`note`).

Parsing is strict: a checkpoint someone relies on must mean exactly one thing.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from eventstore.transparency.errors import CheckpointError
from eventstore.transparency.merkle import HASH_SIZE
from eventstore.transparency.note import OpenedNote, Signer, Verifier, open_note, sign

_SIZE = re.compile(r"0|[1-9][0-9]*")
MAX_SIZE = 2**64 - 1
"""Tree sizes are unsigned 64-bit integers, as in RFC 9162."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's origin, tree size and root hash, with any extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if not 0 <= self.size <= MAX_SIZE:
            raise CheckpointError(f"tree size {self.size} is not an unsigned 64-bit integer")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"root hash is {len(self.root)} bytes, not {HASH_SIZE}")
        for number, line in enumerate(self.extensions, start=1):
            _check_line(line, f"extension line {number}")

    def text(self) -> str:
        """The checkpoint's note text, each line ending with a newline."""
        root = base64.b64encode(self.root).decode()
        lines = (self.origin, str(self.size), root, *self.extensions)
        return "".join(f"{line}\n" for line in lines)

    def sign(self, *signers: Signer) -> str:
        """The checkpoint as a signed note."""
        return sign(self.text(), *signers)


def _check_line(line: str, what: str) -> None:
    if not line:
        raise CheckpointError(f"{what} is empty")
    if any(ord(c) < 0x20 for c in line):
        raise CheckpointError(f"{what} {line!r} contains a control character")


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint's note text strictly, naming the line that is wrong."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(
            f"checkpoint has {len(lines)} lines; it needs an origin, a tree size and a root hash"
        )
    origin, size_text, root_text, *extensions = lines
    _check_line(origin, "origin")
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(
            f"tree size {size_text!r} is not a decimal number without leading zeroes"
        )
    size = int(size_text)
    if size > MAX_SIZE:
        raise CheckpointError(f"tree size {size_text} is larger than an unsigned 64-bit integer")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError(f"root hash {root_text!r} is not base64") from None
    if base64.b64encode(root).decode() != root_text:
        raise CheckpointError(f"root hash {root_text!r} is not canonical base64")
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"root hash is {len(root)} bytes, not {HASH_SIZE}")
    return Checkpoint(origin, size, root, tuple(extensions))


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint whose signature by the log's key was verified, and the opened note."""

    checkpoint: Checkpoint
    note: OpenedNote


def open_checkpoint(
    message: str | bytes,
    log: Verifier,
    witnesses: Sequence[Verifier] = (),
    origin: str | None = None,
) -> SignedCheckpoint:
    """Verify a signed checkpoint: the log's key must have signed it.

    Any witness given whose line is on the note has it checked too (a bad cosignature
    rejects the note); `note.signed_by(witness)` says which witnesses cosigned. When
    `origin` is given the checkpoint must name it, so one log's checkpoint cannot be passed
    off as another's.
    """
    opened = open_note(message, [log, *witnesses])
    if not opened.signed_by(log):
        raise CheckpointError(f"checkpoint is not signed by the log key {log.name}")
    checkpoint = parse_checkpoint(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(
            f"checkpoint is for origin {checkpoint.origin!r}, not the expected {origin!r}"
        )
    return SignedCheckpoint(checkpoint, opened)
