"""Snapshot tables: one immutable row per quarter and cut-off, and an append-only record
of which snapshot is each quarter's published update.

Neither table is ever updated or deleted from (the database refuses it, as it does for the
log). Publishing is therefore a new row in ``publications``, not a flag on a snapshot: the
latest row for a quarter is its published update, and the rows before it are the history
of what was published, by whom, and when.
"""

from __future__ import annotations

import sqlalchemy as sa

from eventstore.tables import UTCDateTime, make_metadata

metadata = make_metadata()

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""An autoincrementing key on both backends (a plain BIGINT does not autoincrement on SQLite)."""

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("quarter", sa.String(10), nullable=False),
    sa.Column("cutoff_at", UTCDateTime(), nullable=False),
    sa.Column("cutoff_position", sa.BigInteger(), nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("board_state", sa.Text(), nullable=False),
    sa.Column("board_state_sha256", sa.String(64), nullable=False),
    sa.Column("narrative_state", sa.Text(), nullable=False),
    sa.Column("narrative_state_sha256", sa.String(64), nullable=False),
    sa.Column("markdown", sa.Text(), nullable=False),
    sa.Column("markdown_sha256", sa.String(64), nullable=False),
    sa.Column("html", sa.Text(), nullable=False),
    sa.Column("html_sha256", sa.String(64), nullable=False),
    sa.Column("opslog_version", sa.String(40), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    # pj0009: the signed checkpoint of the log's tree at the cut-off (eventstore.checkpoints).
    sa.Column("checkpoint_id", ID, nullable=True),
    # pj0010: the declared date it was cut on (--as-reported), '' for recorded time only.
    sa.Column("cutoff_reported", sa.String(10), nullable=False, server_default=""),
    sa.UniqueConstraint("quarter", "cutoff_position", "cutoff_reported"),
    sa.CheckConstraint("cutoff_position >= 0", name="position_not_negative"),
)

publications = sa.Table(
    "publications",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("quarter", sa.String(10), nullable=False),
    sa.Column("snapshot_id", ID, sa.ForeignKey("snapshots.id"), nullable=False),
    sa.Column("published_at", UTCDateTime(), nullable=False),
    sa.Column("published_by", sa.String(200), nullable=False),
    # pj0009: the signed checkpoint of the whole log when it was published.
    sa.Column("checkpoint_id", ID, nullable=True),
    sa.Index(None, "quarter", "id"),
)

APPEND_ONLY_TABLES = ("snapshots", "publications")
