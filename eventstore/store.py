"""`EventStore`: the log's public face — append, read, follow, verify."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import URL, Engine

from eventstore import reader, schema, writer
from eventstore.canonical import GENESIS_HASH
from eventstore.checkpoints import Signing
from eventstore.engine import create_engine
from eventstore.erasure import Erase, erase_values
from eventstore.errors import EventStoreError, SchemaError, StoreUnavailable, WrongExpectedVersion
from eventstore.integrity import VerifyReport
from eventstore.limits import MAX_IDEMPOTENCY_KEY_LENGTH
from eventstore.model import ANY, AppendResult, Expected, Head, NewEvent, RecordedEvent
from eventstore.subscription import Subscription
from eventstore.tables import events
from eventstore.translate import translate
from eventstore.validation import (
    PreparedStream,
    check_aware,
    check_name,
    content_fingerprint,
    prepare_batch,
)
from eventstore.verification import verify_log

StreamBatch = tuple[str, Sequence[NewEvent], Expected]
T = TypeVar("T")


class EventStore:
    """An append-only, hash-chained event log in a SQLite or PostgreSQL database.

    Construct with `EventStore.open(url)`; nothing connects until the first call.

    `recorded_at` comes from the PostgreSQL server's clock, or on SQLite from this
    machine's, checked against the head (`eventstore.writer`). A `clock` overrides both,
    unchecked but never going back past the head: it is for tests and tools that write a
    log at chosen times, and nothing in the CLI passes one.
    """

    def __init__(self, engine: Engine, *, clock: writer.Clock | None = None,
                 signing: Signing | None = None) -> None:
        self.engine = engine
        self._clock = clock
        self.signing = signing
        """The log's checkpoint key and origin, when the caller has one: whoever records a
        snapshot or a publication signs a checkpoint with it (`eventstore.checkpoints`)."""

    @classmethod
    def open(
        cls,
        url: str | URL,
        *,
        create: bool = False,
        clock: writer.Clock | None = None,
        signing: Signing | None = None,
        **engine_options: Any,
    ) -> EventStore:
        """Open the log at `url`; with ``create=True`` migrate the database to head first."""
        store = cls(create_engine(url, **engine_options), clock=clock, signing=signing)
        if create:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the store's own tables to the newest revision (one transaction).

        A database whose history also holds other packages' branches (``opslog init``)
        and whose store branch is already at head is left alone: this code does not know
        those branches' revisions, and there is nothing of its own to do.
        """
        try:
            if schema.expected_heads() <= schema.current_heads(self.engine):
                return
            schema.upgrade(self.engine, revision="eventstore@head")
        except sa_exc.DBAPIError as error:
            raise translate(error) from error

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- writing ---------------------------------------------------------------------

    def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: Expected = ANY,
        idempotency_key: str | None = None,
        *,
        together: Callable[[sa.Connection], None] | None = None,
    ) -> AppendResult:
        """Append `events` to one stream in one commit."""
        return self.append_many([(stream_id, events, expected_version)], idempotency_key,
                                together=together)

    def append_many(
        self,
        streams: Sequence[StreamBatch],
        idempotency_key: str | None = None,
        *,
        together: Callable[[sa.Connection], None] | None = None,
        expected_position: int | None = None,
    ) -> AppendResult:
        """Append to several streams atomically: every event lands, or none does.

        With an `idempotency_key`, a repeat of the same content returns the first result
        (``replayed=True``) and writes nothing; other content raises `IdempotencyConflict`.
        The key is looked up before any expected version is checked.

        `together` runs on the same connection after the events are written and before
        the commit, for a caller's own rows that must land with them or not at all; it
        does not run for a replayed commit.

        With `expected_position`, the commit lands only if the log's head is still at that
        position, else `HeadMoved` (checked under the append lock, in the query that reads
        the head): a writer that decided on the whole log as it stood needs no read of its
        own before appending.
        """
        prepared = prepare_batch(streams, idempotency_key)
        fingerprint = content_fingerprint(prepared) if idempotency_key is not None else None
        try:
            try:
                return self._commit(prepared, idempotency_key, fingerprint, together,
                                    expected_position)
            except writer.LostBeforeWriting:
                # Nothing was written: once more, on a connection the pool checks anew.
                try:
                    return self._commit(prepared, idempotency_key, fingerprint, together,
                                        expected_position)
                except writer.LostBeforeWriting as lost:
                    raise StoreUnavailable("the connection to the database is lost") from lost
        except sa_exc.IntegrityError as error:
            if "version" in str(error.orig).lower():
                stream_id = prepared[0].stream_id
                raise WrongExpectedVersion(
                    stream_id, prepared[0].expected, self.stream_version(stream_id)
                ) from error
            raise translate(error) from error
        except sa_exc.DBAPIError as error:
            raise translate(error) from error

    def _commit(self, prepared: Sequence[PreparedStream], idempotency_key: str | None,
                fingerprint: str | None,
                together: Callable[[sa.Connection], None] | None,
                expected_position: int | None) -> AppendResult:
        """One attempt at the append's transaction."""
        with self._append_transaction() as connection:
            try:
                result = writer.write_commit(
                    connection,
                    prepared,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    clock=self._clock,
                    expected_position=expected_position,
                )
            except writer.LostBeforeWriting:
                connection.invalidate()  # no rollback sent down a dead connection
                raise
            if together is not None and not result.replayed:
                together(connection)
            return result

    @contextmanager
    def _append_transaction(self) -> Iterator[sa.Connection]:
        """A transaction for one append, committed at the end unless it raises.

        On PostgreSQL the driver connection is left in autocommit mode for its duration
        (SQLAlchemy restores the engine's READ COMMITTED when it goes back to the pool),
        so that psycopg does not send a ``BEGIN`` of its own and wait for the answer: the
        writer sends ``BEGIN ISOLATION LEVEL READ COMMITTED`` in one pipeline with its
        first query (`writer.write_commit`), and the commit sends ``COMMIT`` as usual.
        """
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT")
            with connection.begin():
                yield connection

    def erase(
        self,
        targets: Sequence[Erase],
        stream_id: str,
        event: NewEvent,
        expected_version: Expected = ANY,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        """Append `event` as the erasure of `targets` (payload fields of envelope 2
        events) and erase them in the same commit: values replaced, salts dropped, digests
        kept (`eventstore.erasure`). A bad target is `InvalidEvent`, and nothing is written."""
        return erase_values(self.append, targets, stream_id, event, expected_version,
                            idempotency_key)

    def find_commit(self, idempotency_key: str) -> AppendResult | None:
        """The result of the commit made with this key, or None if there was none."""
        check_name("idempotency_key", idempotency_key, MAX_IDEMPOTENCY_KEY_LENGTH)
        with self.reading() as connection:
            found = writer.find_commit(connection, idempotency_key)
        return found[1] if found else None

    # -- reading ---------------------------------------------------------------------

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        """One stream's events in version order (an unknown stream reads as empty)."""
        return self._guard(
            lambda: reader.read_stream(
                self.engine, stream_id, from_version, to_version, backwards, limit
            )
        )

    def stream_version(self, stream_id: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        with self.reading() as connection:
            return writer.stream_version(connection, stream_id)

    def read_all(
        self,
        from_position: int = 1,
        to_position: int | None = None,
        limit: int | None = None,
        types: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> Iterator[RecordedEvent]:
        """Every event from `from_position` on, in position order, streamed page by page."""
        pages = reader.read_all(self.engine, from_position, to_position, limit, types, categories)
        return self._guarded_iter(pages)

    def position_at(self, recorded_time: datetime) -> int:
        """The last position recorded at or before `recorded_time` (0 when none)."""
        check_aware("recorded_time", recorded_time)
        query = sa.select(sa.func.max(events.c.position)).where(
            events.c.recorded_at <= recorded_time
        )
        with self.reading() as connection:
            return int(connection.execute(query).scalar() or 0)

    def head(self) -> Head:
        """The last position, its hash and when it was recorded."""
        query = (
            sa.select(events.c.position, events.c.hash, events.c.recorded_at)
            .order_by(events.c.position.desc())
            .limit(1)
        )
        with self.reading() as connection:
            row = connection.execute(query).first()
        if row is None:
            return Head(position=0, hash=GENESIS_HASH)
        return Head(position=row.position, hash=row.hash, recorded_at=row.recorded_at)

    def hash_at(self, position: int) -> str:
        """The chain hash at `position` (the genesis hash at 0)."""
        if position <= 0:
            return GENESIS_HASH
        with self.reading() as connection:
            value = connection.execute(
                sa.select(events.c.hash).where(events.c.position == position)
            ).scalar()
        if value is None:
            raise EventStoreError(f"position {position} is not in the log")
        return str(value)

    def subscribe(self, from_position: int = 1, poll_interval: float = 0.05) -> Subscription:
        """Follow the log from `from_position`: history first, then new events as they land."""

        def read_page(start: int, size: int) -> list[RecordedEvent]:
            return list(self.read_all(from_position=start, limit=size))

        return Subscription(read_page, from_position, poll_interval)

    def verify(
        self,
        from_position: int = 1,
        to_position: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> VerifyReport:
        """Recompute the hash chain over the stored rows and report the first break.

        Rows that no longer decode, and categories that disagree with their stream ids, are
        reported as breaks too (see `eventstore.verification`).
        """
        return verify_log(self, from_position, to_position, progress)

    def reading(self) -> AbstractContextManager[sa.Connection]:
        """A connection for reads of the store's tables that its methods do not cover
        (the verifier's checks); driver errors come out as store errors."""
        return _Translating(reader.read_connection(self.engine))

    # -- plumbing --------------------------------------------------------------------

    def _guard(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except sa_exc.DBAPIError as error:
            raise translate(error) from error

    def _guarded_iter(self, events_iter: Iterator[RecordedEvent]) -> Iterator[RecordedEvent]:
        try:
            yield from events_iter
        except sa_exc.DBAPIError as error:
            raise translate(error) from error


class _Translating:
    """A connection context that turns driver errors into store errors on the way out."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> sa.Connection:
        return self._connection.__enter__()

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self._connection.__exit__(exc_type, exc, tb)
        if isinstance(exc, sa_exc.DBAPIError):
            raise translate(exc) from exc


__all__ = ["EventStore", "SchemaError"]
