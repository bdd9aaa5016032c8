"""Publishing: naming one snapshot of a quarter as its published update.

Each act of publishing is a new ``publications`` row; a quarter's latest row is its
published update. Snapshots stay untouched, and re-publishing after a restatement leaves
the earlier publication on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import Quarter
from eventstore import EventStore
from eventstore.checkpoints import sign_if_keyed
from projections.errors import ProjectionError
from projections.quarter.report import Report, build_report
from projections.snapshots.content import snapshot_cutoff
from projections.snapshots.registry import (
    Publication,
    SnapshotInfo,
    current_publication,
    has_snapshot_tables,
    insert_publication,
    load_snapshot,
    snapshot_infos,
)
from projections.snapshots.resume import stored_state


class NothingToPublish(ProjectionError):
    """No snapshot (or not that one) of the quarter exists."""


class SnapshotUnreadable(ProjectionError):
    """A state written with event schemas this version no longer reads."""


@dataclass(frozen=True, slots=True)
class Published:
    publication: Publication
    info: SnapshotInfo
    already: bool
    """True when the snapshot already was the quarter's published update (nothing written)."""


def publish(store: EventStore, quarter: Quarter, *, published_by: str, now: datetime,
            snapshot_id: int | None = None) -> Published:
    """Make a snapshot the quarter's published update: the given one, else its latest.

    Publishers take turns (`_take_turn`), so racing publishers of one snapshot write one
    row: each later one finds it already the published update."""
    with store.engine.begin() as connection:
        _take_turn(connection)
        if snapshot_id is None:
            infos = snapshot_infos(connection, quarter)
            if not infos:
                raise NothingToPublish(f"{quarter} has no snapshot to publish")
            info = max(infos, key=lambda found: (found.position, found.id))
        else:
            found = load_snapshot(connection, snapshot_id)
            if found is None:
                raise NothingToPublish(f"there is no snapshot {snapshot_id}")
            if found.info.quarter != quarter:
                raise NothingToPublish(f"snapshot {snapshot_id} is of {found.info.quarter}, "
                                       f"not {quarter}")
            info = found.info
        current = current_publication(connection, quarter)
        if current is not None and current.snapshot_id == info.id:
            return Published(current, info, already=True)
        publication = insert_publication(connection, info, published_at=now,
                                         published_by=published_by,
                                         checkpoint_id=sign_if_keyed(connection, store.signing))
    return Published(publication, info, already=False)


PUBLISH_LOCK_KEY = 0x6F70_736C_6F67_5075  # "opslogPu": publishing's own advisory lock


def _take_turn(connection: Connection) -> None:
    """Hold publishing's lock to the end of the transaction. On PostgreSQL an advisory
    lock (READ COMMITTED then lets the next publisher see this one's row); SQLite's
    transactions begin IMMEDIATE and already hold the database's write lock."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(PUBLISH_LOCK_KEY)))


@dataclass(frozen=True, slots=True)
class PublishedReport:
    publication: Publication
    info: SnapshotInfo
    report: Report


def published_report(store: EventStore, quarter: Quarter) -> PublishedReport | None:
    """The quarter's published update, rebuilt from its snapshot's state; None if none."""
    with store.engine.connect() as connection:
        if not has_snapshot_tables(connection):
            return None
        publication = current_publication(connection, quarter)
        if publication is None:
            return None
        snapshot = load_snapshot(connection, publication.snapshot_id)
    assert snapshot is not None  # a foreign key, and neither table deletes
    info = snapshot.info
    state = stored_state(info.id, info.position, {
        stem: (snapshot.texts[stem], info.hashes[stem])
        for stem in ("board_state", "narrative_state")})
    if state is None:
        raise SnapshotUnreadable(f"snapshot {info.id} holds a state this version cannot read")
    report = build_report(state, quarter, snapshot_cutoff(info.position, info.cutoff_at,
                                                          info.reported_on))
    return PublishedReport(publication, info, report)
