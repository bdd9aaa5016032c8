"""The ``tokens`` table: what authenticating a bearer token needs, and never the secret.

One row per token: its id, its actor, the SHA-256 of its secret (unique, so a lookup by
hash is the comparison), who issued it and when, when it expires, and when and by whom
it was revoked. `revoked_at` is the one column ever updated, once, from empty; the log's
``TokenIssued`` and ``TokenRevoked`` events are the record of both acts.
"""

from __future__ import annotations

import sqlalchemy as sa

from eventstore.tables import UTCDateTime, make_metadata

metadata = make_metadata()

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("token_id", sa.String(40), primary_key=True),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("issued_by", sa.String(80), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_by", sa.String(80), nullable=True),
)
