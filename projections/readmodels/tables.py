"""The persisted read models: checkpoints, the facts with their versions, and the board.

Every row belongs to a generation. Readers use the generation whose checkpoint role is
``live``; a rebuild fills the next generation beside it (role ``building``) and swaps the
roles in one transaction, so nobody ever reads a half-built board.

* ``projection_facts`` holds the fold's state: one row per version of each recorded fact,
  known from one position until another, with the keys the queries filter on. Any quarter,
  at any cut-off, is answered from it without reading the whole log.
* ``milestone_board`` holds the board as the log says now: one row per milestone per
  quarter it is on, for every quarter up to the checkpoint's horizon (the latest quarter
  anything is due, reported or written for). `opslog status` answers from it when the
  question is the board at the checkpoint's position (`projections.readmodels.boards`).
"""

from __future__ import annotations

import sqlalchemy as sa

from eventstore.tables import UTCDateTime, make_metadata

metadata = make_metadata()

ROLES = ("live", "building")

checkpoints = sa.Table(
    "projection_checkpoints",
    metadata,
    sa.Column("projection", sa.String(60), primary_key=True),
    sa.Column("role", sa.String(10), primary_key=True),
    sa.Column("generation", sa.Integer(), nullable=False),
    sa.Column("position", sa.BigInteger(), nullable=False),
    sa.Column("horizon", sa.Integer(), nullable=True),
    sa.Column("failed_position", sa.BigInteger(), nullable=True),
    sa.Column("failure", sa.Text(), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=True),
    sa.Column("head_hash", sa.String(64), nullable=True),
    sa.CheckConstraint("role IN ('live', 'building')", name="role"),
)

facts = sa.Table(
    "projection_facts",
    metadata,
    sa.Column("generation", sa.Integer(), primary_key=True),
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("known_from", sa.BigInteger(), primary_key=True),
    sa.Column("known_to", sa.BigInteger(), nullable=True),
    sa.Column("position", sa.BigInteger(), nullable=False),
    sa.Column("type", sa.String(200), nullable=False),
    sa.Column("stream_id", sa.String(200), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Column("milestone_id", sa.String(80), nullable=True),
    sa.Column("quarter", sa.Integer(), nullable=True),
    sa.Column("from_quarter", sa.Integer(), nullable=True),
    sa.Column("status", sa.String(20), nullable=True),
    sa.Column("effective_on", sa.Date(), nullable=True),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("retraction", sa.Text(), nullable=True),
    sa.Column("row_digest", sa.String(64), nullable=True),
    sa.Index(None, "generation", "milestone_id"),
    sa.Index(None, "generation", "type", "quarter", "effective_on"),
)

board = sa.Table(
    "milestone_board",
    metadata,
    sa.Column("generation", sa.Integer(), primary_key=True),
    sa.Column("quarter_number", sa.Integer(), primary_key=True),
    sa.Column("milestone_id", sa.String(80), primary_key=True),
    sa.Column("quarter", sa.String(10), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("theme_number", sa.Integer(), nullable=True),
    sa.Column("theme_title", sa.String(300), nullable=True),
    sa.Column("topic_id", sa.String(80), nullable=False),
    sa.Column("topic_title", sa.String(300), nullable=True),
    sa.Column("owner_unit", sa.String(80), nullable=False),
    sa.Column("owner_name", sa.String(300), nullable=True),
    sa.Column("due_quarter", sa.String(10), nullable=False),
    sa.Column("carried_over", sa.Boolean(), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("symbol", sa.String(4), nullable=False),
    sa.Column("rescheduled_to", sa.String(10), nullable=True),
    sa.Column("last_report_quarter", sa.String(10), nullable=True),
    sa.Column("last_report_date", sa.Date(), nullable=True),
    sa.Column("source_position", sa.BigInteger(), nullable=False),
    sa.Column("source_event_id", sa.String(36), nullable=False),
    sa.Column("corrections", sa.Integer(), nullable=False),
    sa.Column("sort_theme", sa.BigInteger(), nullable=False),
    sa.Column("sort_topic", sa.BigInteger(), nullable=False),
    sa.Column("sort_milestone", sa.BigInteger(), nullable=False),
    sa.Column("source_type", sa.String(200), nullable=True),
    sa.Column("source_recorded_at", UTCDateTime(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("narrative", sa.Text(), nullable=True),
    sa.Column("row_digest", sa.String(64), nullable=True),
    sa.Column("style", sa.Text(), nullable=True),
    sa.Column("evidence", sa.Text(), nullable=True),
    sa.Index(None, "generation", "milestone_id"),
)

quarantine = sa.Table(
    "projection_quarantine",
    metadata,
    sa.Column("generation", sa.Integer(), primary_key=True),
    sa.Column("position", sa.BigInteger(), primary_key=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("type", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("quarantined_at", UTCDateTime(), nullable=False),
)
"""Events the runner could not read: it records each here and goes on past it, and every
answer from this generation names them as gaps."""

spans = sa.Table(
    "milestone_spans",
    metadata,
    sa.Column("generation", sa.Integer(), primary_key=True),
    sa.Column("milestone_id", sa.String(80), primary_key=True),
    sa.Column("known_from", sa.BigInteger(), primary_key=True),
    sa.Column("known_to", sa.BigInteger(), nullable=True),
    sa.Column("first_quarter", sa.Integer(), nullable=False),
    sa.Column("last_quarter", sa.Integer(), nullable=True),
    sa.Index(None, "generation", "last_quarter"),
)
"""The quarters each milestone is on the board in, as known from one position to another:
from `first_quarter` to `last_quarter` (None: every quarter after too). A quarter's board
at any position reads the few milestones whose span covers it, not every milestone ever
scheduled."""
