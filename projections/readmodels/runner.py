"""The projection runner: keeps the persisted read models in step with the log.

* Effectively once: each batch's rows and the checkpoint position are committed in one
  transaction, and the checkpoint only moves from the position the batch started at, so
  a batch is applied exactly once however often the runner crashes or two runners race.
* Catch-up resumes from the committed checkpoint.
* Rebuild fills a new generation beside the live one, then swaps the two in one
  transaction: readers see the old board or the new one, never half of one.
* An event that cannot be read (unknown type, bad payload) is quarantined: its position,
  id and reason go to ``projection_quarantine`` in the batch's transaction, and the runner
  goes on past it; every answer from the read models names it as a gap.
* An event that is read but cannot be applied stops the runner at the position before it;
  the failure (position, event, reason) is recorded on the checkpoint and raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from eventstore import EventStore, RecordedEvent, SchemaError
from eventstore.translate import translate
from projections.errors import Conflict, NotBuilt, ProjectionFailed
from projections.fold.partial import collector_paused, readable
from projections.fold.records import Record
from projections.fold.state import Gap
from projections.readmodels.batch import BatchOutcome, apply_batch, load_structure
from projections.readmodels.binding import checkpoint_problem
from projections.readmodels.loading import PROJECTION, Checkpoint, checkpoint, quarantined
from projections.readmodels.rebuild import fold_log, write_generation
from projections.readmodels.rows import altered_board_row, altered_row
from projections.readmodels.tables import board, checkpoints, facts, quarantine, spans

Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]
"""Called after each committed batch with (position reached, head position)."""

BATCH_SIZE = 5_000
"""Events per transaction when catching up: short write transactions beside live appends."""
ANALYZE_AFTER = 50_000
"""A catch-up that applies this many events refreshes the planner's statistics."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RunnerStatus:
    live: Checkpoint | None
    building: Checkpoint | None
    head: int
    gaps: tuple[Gap, ...] = ()
    """The events the live generation quarantined as unreadable."""
    drift: tuple[str, ...] = ()
    """Why the live generation fails its cheap checks: its checkpoint not bound to the log,
    facts rows not matching their digests (see `projections.readmodels.recompute` for the
    full check)."""

    @property
    def lag(self) -> int | None:
        return None if self.live is None else self.head - self.live.position


class Runner:
    """Folds the log into the read model tables, batch by batch."""

    def __init__(self, store: EventStore, *, batch_size: int | None = None,
                 clock: Clock = utc_now, target: Engine | None = None) -> None:
        self.store = store
        self.engine = store.engine if target is None else target
        """Where the read models are written: the log's database, unless told otherwise
        (a scratch database, to recompute them for a check)."""
        self.batch_size = batch_size
        self.clock = clock

    # -- asking ----------------------------------------------------------------------------

    def status(self) -> RunnerStatus:
        with self._reading() as connection:
            if not sa.inspect(connection).has_table(checkpoints.name):
                raise NotBuilt("the read model tables are missing: run `opslog init`")
            live = checkpoint(connection, "live")
            building = checkpoint(connection, "building")
            gaps = () if live is None else tuple(
                quarantined(connection, live.generation, live.position))
            drift = () if live is None else tuple(_drift(connection, live))
        return RunnerStatus(live, building, self.store.head().position, gaps, drift)

    # -- catching up -----------------------------------------------------------------------

    def catch_up(self, progress: Progress | None = None,
                 to_position: int | None = None) -> Checkpoint:
        """Apply every event after the live checkpoint (up to `to_position`, if given)."""
        self._ensure_live()
        start = self._checkpoint("live").position
        reached = self._run("live", progress, to_position, self.batch_size or BATCH_SIZE)
        if reached.position - start >= ANALYZE_AFTER:
            self._analyze()
        return reached

    def rebuild(self, progress: Progress | None = None,
                to_position: int | None = None) -> Checkpoint:
        """Build a fresh generation from position 1 (to `to_position`, if given) beside the
        live one, then swap it in. Without a batch size the log is folded in memory and
        each table written once; with one, batch by batch as a catch-up goes."""
        self._ensure_live()
        generation = self._start_building()
        if self.batch_size is None:
            self._rebuild_at_once(progress, to_position)
        else:
            self._run("building", progress, to_position, self.batch_size)
        self._swap(generation)
        self._drop_retired()
        self._analyze()
        with self._reading() as connection:
            live = checkpoint(connection, "live")
        assert live is not None
        return live

    def _rebuild_at_once(self, progress: Progress | None, to_position: int | None) -> None:
        """Fold the whole log in memory and write the building generation once
        (`projections.readmodels.rebuild`); the checkpoint moves from 0 to where the fold
        stopped, or the failure is recorded there and raised."""
        current = self._checkpoint("building")
        head = self.store.head().position if to_position is None else to_position
        folded = fold_log(self.store, head)
        state = folded.state
        with collector_paused(), self.engine.begin() as connection:
            _roomy(connection)
            self._claim(connection, current)
            horizon = write_generation(connection, current.generation, state)
            outcome = BatchOutcome(position=state.position, horizon=horizon, structure=[])
            self._quarantine(connection, current.generation, folded.gaps, outcome)
            self._advance(connection, current, outcome,
                          folded.head_hash if state.position else current.head_hash)
        if folded.failure is not None:
            self._record_failure("building", folded.failure)
            raise folded.failure
        if progress is not None:
            progress(state.position, head)

    # -- the loop --------------------------------------------------------------------------

    def _run(self, role: str, progress: Progress | None, to_position: int | None,
             batch_size: int) -> Checkpoint:
        head = self.store.head().position if to_position is None else to_position
        structure: list[Record] | None = None
        cached_at = -1  # the position our copy of the structure is true at
        while True:
            current = self._checkpoint(role)
            if current.position >= head:
                return current
            if current.position != cached_at:
                structure = None  # another runner moved the checkpoint: read it again
            limit = min(batch_size, head - current.position)
            try:
                with collector_paused():
                    events = list(self.store.read_all(from_position=current.position + 1,
                                                      limit=limit))
                    if not events:
                        return current
                    decoded, gaps = readable(events)
                    with self.engine.begin() as connection:
                        _roomy(connection)
                        self._claim(connection, current)
                        if structure is None:
                            structure = load_structure(connection, current.generation)
                        outcome = apply_batch(connection, current, decoded, structure,
                                              through=events[-1].position)
                        self._quarantine(connection, current.generation, gaps, outcome)
                        self._advance(connection, current, outcome,
                                      _hash_at(events, outcome.position, current.head_hash))
            except Conflict:
                structure = None  # another runner moved on: start again from where it is
                continue
            structure, cached_at = outcome.structure, outcome.position
            failure = outcome.failure
            if failure is not None:
                self._record_failure(role, failure)
                raise failure
            if progress is not None:
                progress(outcome.position, head)

    def _claim(self, connection: Connection, current: Checkpoint) -> None:
        """Lock the checkpoint row, first thing, if it is still where the batch starts.

        A second runner waits here, then finds the position moved and starts again from
        the new one: no batch is applied twice.
        """
        claimed = connection.execute(
            sa.update(checkpoints)
            .where(checkpoints.c.projection == current.projection,
                   checkpoints.c.role == current.role,
                   checkpoints.c.generation == current.generation,
                   checkpoints.c.position == current.position)
            .values(position=current.position)
        )
        if claimed.rowcount != 1:
            raise Conflict(f"the {current.role} checkpoint moved from {current.position}")

    def _quarantine(self, connection: Connection, generation: int, gaps: Sequence[Gap],
                    outcome: BatchOutcome) -> None:
        """Record the unreadable events the batch went past (those it reached)."""
        rows = [{"generation": generation, "position": gap.position, "event_id": gap.event_id,
                 "type": gap.type, "reason": gap.reason, "quarantined_at": self.clock()}
                for gap in gaps if gap.position <= outcome.position]
        if rows:
            connection.execute(sa.insert(quarantine), rows)

    def _advance(self, connection: Connection, current: Checkpoint, outcome: BatchOutcome,
                 head_hash: str | None) -> None:
        """Move the checkpoint, bound to the log's hash where it now stands."""
        connection.execute(
            sa.update(checkpoints)
            .where(checkpoints.c.projection == current.projection,
                   checkpoints.c.role == current.role)
            .values(position=outcome.position, horizon=outcome.horizon, head_hash=head_hash,
                    failed_position=None, failure=None, updated_at=self.clock())
        )

    def _record_failure(self, role: str, failure: ProjectionFailed) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                sa.update(checkpoints)
                .where(checkpoints.c.projection == PROJECTION, checkpoints.c.role == role)
                .values(failed_position=failure.position, failure=str(failure),
                        updated_at=self.clock())
            )

    # -- generations -----------------------------------------------------------------------

    def _checkpoint(self, role: str) -> Checkpoint:
        with self._reading() as connection:
            found = checkpoint(connection, role)
        if found is None:
            raise NotBuilt(f"no {role} generation of the read models")
        return found

    def _ensure_live(self) -> None:
        try:
            with self.engine.begin() as connection:
                if checkpoint(connection, "live") is None:
                    connection.execute(sa.insert(checkpoints).values(
                        projection=PROJECTION, role="live", generation=1, position=0,
                        updated_at=self.clock()))
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
            problem = translate(error)
            if isinstance(problem, SchemaError):  # not a lost or refused connection
                raise NotBuilt("the read model tables are missing: run `opslog init`") from error
            raise problem from error
        except sa.exc.IntegrityError:
            return  # another runner created it first

    def _start_building(self) -> int:
        with self.engine.begin() as connection:
            live = self._live_generation(connection)
            top = connection.execute(sa.select(sa.func.max(checkpoints.c.generation)).where(
                checkpoints.c.projection == PROJECTION)).scalar()
            generation = max(int(top or 0), live) + 1
            connection.execute(sa.delete(checkpoints).where(
                checkpoints.c.projection == PROJECTION, checkpoints.c.role == "building"))
            _delete_generations(connection, keep=[live])
            connection.execute(sa.insert(checkpoints).values(
                projection=PROJECTION, role="building", generation=generation, position=0,
                updated_at=self.clock()))
        return generation

    def _live_generation(self, connection: Connection) -> int:
        live = checkpoint(connection, "live")
        assert live is not None
        return live.generation

    def _swap(self, generation: int) -> None:
        with self.engine.begin() as connection:
            building = checkpoint(connection, "building")
            if building is None or building.generation != generation:
                raise Conflict("the generation being built was replaced")
            connection.execute(sa.delete(checkpoints).where(
                checkpoints.c.projection == PROJECTION, checkpoints.c.role == "live"))
            connection.execute(
                sa.update(checkpoints)
                .where(checkpoints.c.projection == PROJECTION, checkpoints.c.role == "building")
                .values(role="live", updated_at=self.clock()))

    def _drop_retired(self) -> None:
        with self.engine.begin() as connection:
            kept = [row[0] for row in connection.execute(
                sa.select(checkpoints.c.generation).where(checkpoints.c.projection == PROJECTION))]
            _delete_generations(connection, keep=kept)

    def _analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load (PostgreSQL plans the read
        models' queries by them, and picks table scans without them)."""
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(
                    "ANALYZE projection_facts, milestone_board, milestone_spans")
            else:
                connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
                connection.exec_driver_sql("ANALYZE")

    def _reading(self) -> Connection:
        return self.engine.connect()


SQLITE_CACHE_KIB = 256 * 1024


def _roomy(connection: Connection) -> None:
    """A SQLite page cache big enough for the indexes a batch writes to (256 MiB)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def _delete_generations(connection: Connection, keep: Sequence[int]) -> None:
    """Remove the rows of every generation not in `keep` (a retired or abandoned build)."""
    for table in (facts, board, spans, quarantine):
        connection.execute(sa.delete(table).where(table.c.generation.not_in(list(keep))))



def _hash_at(events: Sequence[RecordedEvent], position: int, before: str | None) -> str | None:
    """The hash of the batch's event at `position` (`before` when the batch applied none)."""
    for recorded in events:
        if recorded.position == position:
            return recorded.hash
    return before


def _drift(connection: Connection, live: Checkpoint) -> Iterator[str]:
    """The cheap checks of a generation: its checkpoint's binding, every facts and board
    row's digest (board rows written before digests are never read, so not named)."""
    problem = checkpoint_problem(connection, live)
    if problem is not None:
        yield problem
    rows = connection.execute(sa.select(facts).where(facts.c.generation == live.generation))
    for row in rows.mappings():
        altered = altered_row(row)
        if altered is not None:
            yield altered
    rows = connection.execute(sa.select(board).where(board.c.generation == live.generation,
                                                     board.c.row_digest.is_not(None)))
    for row in rows.mappings():
        altered = altered_board_row(row)
        if altered is not None:
            yield altered
