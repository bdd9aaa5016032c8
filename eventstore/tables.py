"""The store's tables, described once for SQLAlchemy Core and for Alembic's comparisons.

Column names are the envelope's names, so an auditor's SQL reads like the documentation.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone, so we do)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_metadata() -> sa.MetaData:
    """A fresh MetaData with the project's constraint naming convention."""
    return sa.MetaData(naming_convention=NAMING_CONVENTION)


metadata = make_metadata()

events = sa.Table(
    "events",
    metadata,
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("stream_id", sa.String(200), nullable=False),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("type", sa.String(200), nullable=False),
    sa.Column("schema_version", sa.Integer(), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("metadata", sa.Text(), nullable=False),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # Envelope v2 (es0004): the hash commits to the payload through salted per-field
    # digests, so a value can be erased while the chain, the tree and checkpoints verify.
    sa.Column("envelope", sa.SmallInteger(), nullable=False, server_default=sa.text("1")),
    sa.Column("digests", sa.Text(), nullable=True),
    sa.Column("salts", sa.Text(), nullable=True),
    sa.UniqueConstraint("event_id"),
    sa.UniqueConstraint("stream_id", "version"),
    sa.CheckConstraint("version >= 1", name="version_positive"),
    sa.CheckConstraint("position >= 1", name="position_positive"),
    sa.Index(None, "category", "position"),
    sa.Index(None, "recorded_at"),
)

commits = sa.Table(
    "commits",
    metadata,
    sa.Column("idempotency_key", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("first_position", sa.BigInteger(), nullable=False),
    sa.Column("last_position", sa.BigInteger(), nullable=False),
    sa.Column("stream_versions", sa.Text(), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
)

leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("acquired_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
)
"""Named exclusive leases (one scheduler per database); ordinary mutable rows."""

tree_hashes = sa.Table(
    "tree_hashes",
    metadata,
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=False),
    sa.Column("hashes", sa.LargeBinary(), nullable=False),
    sa.CheckConstraint("position >= 2 AND position % 2 = 0 AND length(hashes) >= 32 "
                       "AND length(hashes) % 32 = 0", name="whole_nodes"),
)
"""The RFC 9162 Merkle tree over positions, one row per even position: the hashes of the
complete subtrees above the leaves that the event at `position` completes, 32 bytes each,
from level 1 up to the number of trailing zero bits of the position (the node at (level,
idx) covers leaves ``idx * 2**level`` to ``(idx + 1) * 2**level - 1`` and is completed at
position ``(idx + 1) * 2**level``). Leaves are recomputed from their events. A commit's
rows are contiguous; a root or a proof is a few primary-key reads, never a replay.
Append-only (see es0005)."""

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("origin", sa.String(200), nullable=False),
    sa.Column("tree_size", sa.BigInteger(), nullable=False),
    sa.Column("root_hash", sa.String(64), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("tree_size >= 0", name="tree_size_not_negative"),
    sa.Index(None, "tree_size"),
)
"""Signed checkpoints (C2SP tlog-checkpoint in a signed note), as made; append-only."""

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("target_position", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("field", sa.String(200), primary_key=True),
    sa.Column("erasure_position", sa.BigInteger(), nullable=False),
)
"""Which payload field of which event an erasure event removed. Append-only; the only
UPDATE `events` accepts is the one these rows allow (see es0004)."""

APPEND_ONLY_TABLES = ("events", "commits", "tree_hashes", "checkpoints", "erasures")
