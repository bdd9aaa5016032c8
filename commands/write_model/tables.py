"""The ``command_model_checkpoints`` table: the write model saved as it stood at a position.

A cache, not a record: every row can be rebuilt from the log, and is trusted only while
the log still holds the hash it was saved against at its position and its body still
hashes to `body_sha256` (`write_model.checkpoints`); `events` is the index of every event
by id, read only when a correction needs it. Older rows are deleted as newer ones
are saved.
"""

from __future__ import annotations

import sqlalchemy as sa

from commands.identity.tables import metadata
from eventstore.tables import UTCDateTime

command_model_checkpoints = sa.Table(
    "command_model_checkpoints",
    metadata,
    sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("log_hash", sa.String(64), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("body", sa.LargeBinary(), nullable=False),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("events", sa.LargeBinary(), nullable=False),
    sa.Column("events_sha256", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
