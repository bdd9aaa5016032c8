"""The scheduler's jobs: module-level functions of the database URL only.

A URL is all a job needs: each run opens the store, does its work, logs what it did, and
closes the store, so no connection outlives a run. Jobs are kept in memory, never stored.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from commands.errors import Refused
from commands.permissions import require
from eventstore import EventStore
from eventstore.checkpoints import latest_checkpoint, record_checkpoint
from eventstore.tree import tree_size
from opslog import __version__
from opslog.keys import signing_from_environment
from projections.readmodels.runner import Runner
from projections.snapshots.taking import (
    DEFAULT_GRACE_DAYS,
    CatchUp,
    Maker,
    Taken,
    take_closed_quarters,
)

log = logging.getLogger("opslog.scheduler.jobs")

QUARTER_CLOSE = "job:quarter-close"
"""Who the quarter-close job's snapshots are made by."""


def _log_taken(taken: Taken) -> None:
    info = taken.info
    reported = "" if info.reported_on is None else f", as reported by {info.reported_on}"
    log.info("quarter-close: snapshot %d of %s at position %d (cut-off %s%s)", info.id,
             info.quarter, info.position, info.cutoff_at.isoformat(), reported)


def close_quarters(url: str, grace_days: int = DEFAULT_GRACE_DAYS,
                   actor: str | None = None) -> CatchUp | None:
    """Make every missing snapshot of every quarter of the plan whose grace period has
    ended, cut off at its end (self-healing: a late or repeated run makes exactly what an
    on-time run would have). With an `actor`, only while it may take snapshots (None and
    a logged refusal otherwise); its snapshots are made by ``job:quarter-close:ACTOR``."""
    with EventStore.open(url, signing=signing_from_environment(make_url(url))) as store:
        made_by = QUARTER_CLOSE
        if actor is not None:
            try:
                require(store, actor, "snapshot")
            except Refused as refusal:
                log.error("quarter-close: refused, nothing made: %s", refusal.reason)
                return None
            made_by = f"{QUARTER_CLOSE}:{actor}"
        maker = Maker(made_by, __version__, datetime.now(UTC))
        outcome = take_closed_quarters(store, maker, on_taken=_log_taken,
                                       grace_days=grace_days)
    made = ", ".join(str(taken.info.quarter) for taken in outcome.created) or "none"
    log.info("quarter-close: %d closed quarters, %d snapshotted (%s), %d events folded, "
             "%.2f s", len(outcome.closed), len(outcome.created), made, outcome.events_folded,
             outcome.seconds)
    return outcome


def catch_up_read_models(url: str) -> int:
    """Apply the events recorded since the read models' checkpoint; the events folded."""
    started = time.perf_counter()
    with EventStore.open(url) as store:
        runner = Runner(store)
        live = runner.status().live
        before = 0 if live is None else live.position
        reached = runner.catch_up()
    folded = reached.position - before
    log.info("read-model catch-up: %d events folded (position %d to %d), %.2f s", folded,
             before, reached.position, time.perf_counter() - started)
    return folded


def make_checkpoint(url: str) -> int | None:
    """Sign the log's tree if it grew since the newest checkpoint; the new checkpoint's id.

    Needs the log's key in ``$OPSLOG_SIGNING_KEY``; without one it logs a warning and
    makes none (the other jobs go on).
    """
    signing = signing_from_environment(make_url(url))
    if signing is None:
        log.warning("checkpoint: no signing key ($OPSLOG_SIGNING_KEY): no checkpoint made")
        return None
    with EventStore.open(url) as store, store.engine.begin() as connection:
        latest = latest_checkpoint(connection)
        size = tree_size(connection)
        if latest is not None and latest.size == size and latest.origin == signing.origin:
            log.info("checkpoint: the log is still at size %d (checkpoint %d)", size,
                     latest.id)
            return None
        made = record_checkpoint(connection, signing.signer, signing.origin, size)
    log.info("checkpoint: %d signed at size %d, root %s", made.id, made.size, made.root.hex())
    return made.id
