"""The write model's checkpoints: a row per checkpoint, and a row per entity it changed.

A cache, not a record: every row can be rebuilt from the log. ``command_model_checkpoints``
holds a checkpoint's position, the log's hash there, the fingerprint of the code that
wrote it and its head (position and scale adoptions, hashed in `head_sha256`).
``command_model_entities`` holds each entity of the model (a stream's version, a
milestone, a command's commit …; `kind` names the map) as it stood at the checkpoint that
last changed it; `body` is NULL where that checkpoint no longer had it. A checkpoint at
position P is, for each entity, its row with the greatest position at most P. Saving a
checkpoint writes only the entities changed since the one the service started from, and
drops the rows no kept checkpoint reads (`write_model.checkpoints`).
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
    sa.Column("head", sa.LargeBinary(), nullable=False),
    sa.Column("head_sha256", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

command_model_entities = sa.Table(
    "command_model_entities",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("key", sa.Text(), primary_key=True),
    sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("body", sa.Text(), nullable=True),
    sa.Index("ix_command_model_entities_position", "position"),
)
