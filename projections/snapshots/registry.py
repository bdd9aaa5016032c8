"""Reading and writing snapshot and publication rows (both append-only).

Inserting a snapshot is ``INSERT … ON CONFLICT (quarter, cutoff_position) DO NOTHING``:
two makers racing for the same snapshot both succeed, and one row results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import Quarter
from projections.snapshots.content import Content
from projections.snapshots.tables import publications, snapshots

HASHED = ("board_state", "narrative_state", "markdown", "html")
INFO_COLUMNS = [column for column in snapshots.c
                if column.name not in HASHED]


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """A snapshot's header: what it is of, where it stands in the log, who made it."""

    id: int
    quarter: Quarter
    cutoff_at: datetime
    position: int
    head_hash: str
    hashes: dict[str, str]
    """The recorded SHA-256 of each stored text, by column stem."""
    opslog_version: str
    created_at: datetime
    created_by: str
    checkpoint_id: int | None = None
    """The signed checkpoint of the log at the cut-off, when the log had a signing key."""
    reported_on: date | None = None
    """The declared date it was cut on (``--as-reported``); None: recorded time only."""


def reported_key(reported: date | None) -> str:
    """The ``cutoff_reported`` column's value for a declared-date cut (``''``: none)."""
    return "" if reported is None else reported.isoformat()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A snapshot with its stored texts."""

    info: SnapshotInfo
    texts: dict[str, str]
    """board_state, narrative_state, markdown and html, as stored."""


@dataclass(frozen=True, slots=True)
class Publication:
    """One act of publishing: this snapshot is the quarter's published update."""

    id: int
    quarter: Quarter
    snapshot_id: int
    published_at: datetime
    published_by: str
    checkpoint_id: int | None = None
    """The signed checkpoint of the log when published, when the log had a signing key."""


def _info(row: Any) -> SnapshotInfo:
    return SnapshotInfo(
        id=int(row.id),
        quarter=Quarter.parse(row.quarter),
        cutoff_at=row.cutoff_at,
        position=int(row.cutoff_position),
        head_hash=row.head_hash,
        hashes={stem: getattr(row, f"{stem}_sha256") for stem in HASHED},
        opslog_version=row.opslog_version,
        created_at=row.created_at,
        created_by=row.created_by,
        checkpoint_id=None if row.checkpoint_id is None else int(row.checkpoint_id),
        reported_on=date.fromisoformat(row.cutoff_reported) if row.cutoff_reported else None,
    )


def insert_snapshot(connection: Connection, content: Content, *, opslog_version: str,
                    created_at: datetime, created_by: str,
                    checkpoint_id: int | None = None) -> bool:
    """Store `content`; False when the quarter already has a snapshot at that position."""
    # The dialect's own insert (for its ON CONFLICT), imported here: reading verbs on
    # SQLite need not load the PostgreSQL dialect.
    from sqlalchemy.dialects import postgresql, sqlite

    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)
    values: dict[str, object] = {
        "quarter": str(content.quarter),
        "cutoff_at": content.cutoff_at,
        "cutoff_position": content.position,
        "head_hash": content.head_hash,
        "opslog_version": opslog_version,
        "created_at": created_at,
        "created_by": created_by,
        "checkpoint_id": checkpoint_id,
        "cutoff_reported": reported_key(content.reported),
    }
    for stem, text in zip(HASHED, (content.board_state, content.narrative_state,
                                   content.markdown, content.html), strict=True):
        values[stem] = text
    values.update({f"{stem}_sha256": value for stem, value in content.hashes.items()})
    statement = (insert(snapshots).values(values)
                 .on_conflict_do_nothing(index_elements=["quarter", "cutoff_position",
                                                         "cutoff_reported"])
                 .returning(snapshots.c.id))
    return connection.execute(statement).first() is not None


def find_snapshot(connection: Connection, quarter: Quarter, position: int,
                  reported: date | None = None) -> SnapshotInfo | None:
    row = connection.execute(sa.select(*INFO_COLUMNS).where(
        snapshots.c.quarter == str(quarter), snapshots.c.cutoff_position == position,
        snapshots.c.cutoff_reported == reported_key(reported))).first()
    return None if row is None else _info(row)


def snapshot_keys(connection: Connection) -> set[tuple[str, int]]:
    """Every (quarter, position) that has a snapshot cut on recorded time only."""
    rows = connection.execute(sa.select(snapshots.c.quarter, snapshots.c.cutoff_position)
                              .where(snapshots.c.cutoff_reported == ""))
    return {(str(quarter), int(position)) for quarter, position in rows}


def snapshot_infos(connection: Connection, quarter: Quarter | None = None) -> list[SnapshotInfo]:
    """Snapshots in the order they were made (optionally of one quarter)."""
    query = sa.select(*INFO_COLUMNS).order_by(snapshots.c.id)
    if quarter is not None:
        query = query.where(snapshots.c.quarter == str(quarter))
    return [_info(row) for row in connection.execute(query)]


def load_snapshot(connection: Connection, snapshot_id: int) -> Snapshot | None:
    row = connection.execute(sa.select(snapshots).where(snapshots.c.id == snapshot_id)).first()
    if row is None:
        return None
    return Snapshot(_info(row), {stem: getattr(row, stem) for stem in HASHED})


def nearest(connection: Connection, quarter: Quarter, position: int, *, after: int,
            stems: tuple[str, ...]) -> tuple[int, int, str, dict[str, tuple[str, str]]] | None:
    """The latest snapshot of `quarter` at or before `position` and after `after`, cut on
    recorded time only (one cut on a declared date holds a filtered state, nothing to
    continue from): (id, position, head hash, {stem: (text, recorded sha256)}), or None."""
    columns = [snapshots.c.id, snapshots.c.cutoff_position, snapshots.c.head_hash]
    for stem in stems:
        columns += [snapshots.c[stem], snapshots.c[f"{stem}_sha256"]]
    row = connection.execute(
        sa.select(*columns)
        .where(snapshots.c.quarter == str(quarter), snapshots.c.cutoff_position <= position,
               snapshots.c.cutoff_position > after, snapshots.c.cutoff_reported == "")
        .order_by(snapshots.c.cutoff_position.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    texts = {stem: (row[3 + 2 * index], row[4 + 2 * index]) for index, stem in enumerate(stems)}
    return int(row[0]), int(row[1]), str(row[2]), texts


def has_snapshot_tables(connection: Connection) -> bool:
    return sa.inspect(connection).has_table(snapshots.name)


# -- publications -------------------------------------------------------------------------


def _publication(row: Any) -> Publication:
    return Publication(int(row.id), Quarter.parse(row.quarter), int(row.snapshot_id),
                       row.published_at, row.published_by,
                       None if row.checkpoint_id is None else int(row.checkpoint_id))


def insert_publication(connection: Connection, snapshot: SnapshotInfo, *, published_at: datetime,
                       published_by: str, checkpoint_id: int | None = None) -> Publication:
    """Record that `snapshot` is now its quarter's published update."""
    new_id = connection.execute(
        publications.insert().values(quarter=str(snapshot.quarter), snapshot_id=snapshot.id,
                                     published_at=published_at, published_by=published_by,
                                     checkpoint_id=checkpoint_id)
        .returning(publications.c.id)
    ).scalar_one()
    return Publication(int(new_id), snapshot.quarter, snapshot.id, published_at, published_by,
                       checkpoint_id)


def current_publication(connection: Connection, quarter: Quarter) -> Publication | None:
    """The quarter's published update: its latest publication, if any."""
    row = connection.execute(
        sa.select(publications).where(publications.c.quarter == str(quarter))
        .order_by(publications.c.id.desc()).limit(1)
    ).first()
    return None if row is None else _publication(row)


def published_ids(connection: Connection) -> dict[str, int]:
    """Each quarter's currently published snapshot id."""
    latest = (sa.select(publications.c.quarter, sa.func.max(publications.c.id).label("id"))
              .group_by(publications.c.quarter).subquery())
    rows = connection.execute(
        sa.select(publications.c.quarter, publications.c.snapshot_id)
        .join(latest, publications.c.id == latest.c.id))
    return {str(quarter): int(snapshot_id) for quarter, snapshot_id in rows}
