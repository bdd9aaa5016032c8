"""Signed checkpoints of the log: made, kept append-only, turned into proofs, checked.

Why: the Merkle tree only holds the database owner to account once its root leaves the
database signed (c2sp.org/tlog-checkpoint) and someone else keeps it. Every checkpoint
made is recorded in `checkpoints` (append-only), so exports, snapshots and publications
can name the one they carry, and proofs can be served against a checkpoint already handed
out. The origin names the log: by default ``opslog.example/<database name>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from eventstore.tables import checkpoints
from eventstore.transparency.checkpoint import Checkpoint, open_checkpoint
from eventstore.transparency.errors import CheckpointError
from eventstore.transparency.note import Signer, Verifier
from eventstore.transparency.proofs import ConsistencyProof, InclusionProof
from eventstore.tree import consistency_between, inclusion_at, root_at, tree_size

ORIGIN_HOST = "opslog.example"
"""The default origin's host part: a reserved name, so no real log is impersonated."""


def default_origin(url: URL) -> str:
    """``opslog.example/<database name>``: the PostgreSQL database or the SQLite file stem."""
    name = url.database or "log"
    if url.get_backend_name() == "sqlite":
        name = PurePath(name).stem or "log"
    return f"{ORIGIN_HOST}/{name}"


@dataclass(frozen=True, slots=True)
class Signing:
    """The log's signing key and origin, for those who make checkpoints as they go
    (snapshots, publications, the scheduler): `EventStore.signing`."""

    signer: Signer
    origin: str


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A checkpoint as the log made and recorded it."""

    id: int
    origin: str
    size: int
    root: bytes
    note: str
    created_at: datetime


def _stored(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(row.id, row.origin, row.tree_size, bytes.fromhex(row.root_hash),
                            row.note, row.created_at)


_COLUMNS = (checkpoints.c.id, checkpoints.c.origin, checkpoints.c.tree_size,
            checkpoints.c.root_hash, checkpoints.c.note, checkpoints.c.created_at)


def record_checkpoint(connection: Connection, signer: Signer, origin: str,
                      size: int | None = None, now: datetime | None = None) -> StoredCheckpoint:
    """Sign the tree at `size` (default: the head) and record it, in the caller's transaction."""
    if size is None:
        size = tree_size(connection)
    root = root_at(connection, size)
    note = Checkpoint(origin, size, root).sign(signer)
    created_at = (now or datetime.now(UTC)).astimezone(UTC)
    new_id = connection.execute(
        checkpoints.insert().values(origin=origin, tree_size=size, root_hash=root.hex(),
                                    note=note, created_at=created_at)
        .returning(checkpoints.c.id)
    ).scalar_one()
    return StoredCheckpoint(int(new_id), origin, size, root, note, created_at)


def sign_if_keyed(connection: Connection, signing: Signing | None,
                  size: int | None = None) -> int | None:
    """The id of a new checkpoint at `size` (default: the head), or None with no key."""
    if signing is None:
        return None
    return record_checkpoint(connection, signing.signer, signing.origin, size).id


def make_checkpoint(engine: Engine, signer: Signer, origin: str, size: int | None = None,
                    now: datetime | None = None) -> StoredCheckpoint:
    """`record_checkpoint` in a transaction of its own."""
    with engine.begin() as connection:
        return record_checkpoint(connection, signer, origin, size, now)


def latest_checkpoint(connection: Connection, size: int | None = None) -> StoredCheckpoint | None:
    """The newest recorded checkpoint (of `size`, when given)."""
    query = sa.select(*_COLUMNS).order_by(checkpoints.c.id.desc()).limit(1)
    if size is not None:
        query = query.where(checkpoints.c.tree_size == size)
    row = connection.execute(query).first()
    return None if row is None else _stored(row)


def covering_checkpoint(connection: Connection, size: int) -> StoredCheckpoint | None:
    """The smallest recorded checkpoint whose tree holds the first `size` events (the first
    made, on a tie): what a reader of those events can check them against."""
    row = connection.execute(
        sa.select(*_COLUMNS).where(checkpoints.c.tree_size >= size)
        .order_by(checkpoints.c.tree_size, checkpoints.c.id).limit(1)).first()
    return None if row is None else _stored(row)


def checkpoint_by_id(connection: Connection, checkpoint_id: int) -> StoredCheckpoint | None:
    """One recorded checkpoint."""
    row = connection.execute(
        sa.select(*_COLUMNS).where(checkpoints.c.id == checkpoint_id)).first()
    return None if row is None else _stored(row)


def all_checkpoints(connection: Connection, up_to_size: int | None = None
                    ) -> Iterator[StoredCheckpoint]:
    """Every recorded checkpoint in the order made (those of at most `up_to_size`)."""
    query = sa.select(*_COLUMNS).order_by(checkpoints.c.id)
    if up_to_size is not None:
        query = query.where(checkpoints.c.tree_size <= up_to_size)
    for row in connection.execute(query):
        yield _stored(row)


def inclusion_proof_file(connection: Connection, index: int,
                         checkpoint: StoredCheckpoint) -> str:
    """A c2sp.org/tlog-proof@v1 file: leaf `index` (position - 1) is in `checkpoint`'s tree."""
    path = inclusion_at(connection, index, checkpoint.size)
    return InclusionProof(index, tuple(path), checkpoint.note).text()


def consistency_proof_file(connection: Connection, old_size: int,
                           checkpoint: StoredCheckpoint) -> str:
    """The documented JSON consistency proof from `old_size` to `checkpoint`'s tree."""
    hashes = consistency_between(connection, old_size, checkpoint.size)
    return ConsistencyProof(old_size, checkpoint.size, tuple(hashes), checkpoint.note).text()


def check_against(connection: Connection, kept_note: str, log: Verifier) -> Checkpoint:
    """Check that the live log extends a checkpoint kept outside it.

    The kept checkpoint must be signed by `log`; the log must be at least as large, and
    its tree at the checkpoint's size must have the checkpoint's root. Raises
    `CheckpointError` naming sizes and roots; returns the kept checkpoint.
    """
    kept = open_checkpoint(kept_note, log).checkpoint
    head = tree_size(connection)
    if head < kept.size:
        raise CheckpointError(
            f"the log has {head} events but the kept checkpoint (origin {kept.origin!r}) is of "
            f"size {kept.size} with root {kept.root.hex()}: the log was truncated")
    root = root_at(connection, kept.size)
    if root != kept.root:
        raise CheckpointError(
            f"the log's tree at size {kept.size} has root {root.hex()}, the kept checkpoint "
            f"has {kept.root.hex()}: history up to that size was rewritten")
    return kept
