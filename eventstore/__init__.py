"""eventstore: an append-only, tamper-evident event log on SQLite and PostgreSQL.

It knows nothing of any domain: streams of typed JSON events, global positions in commit
order, optimistic concurrency, idempotent commits and a SHA-256 hash chain.
"""

from eventstore.canonical import GENESIS_HASH, canonical_json, event_hash
from eventstore.erasure import Erase
from eventstore.errors import (
    ClockBehind,
    DuplicateEventId,
    EventStoreError,
    HeadMoved,
    IdempotencyConflict,
    ImmutableEvents,
    InvalidEvent,
    SchemaError,
    StoreUnavailable,
    WrongExpectedVersion,
)
from eventstore.integrity import VerifyReport
from eventstore.model import (
    ANY,
    NO_STREAM,
    STREAM_EXISTS,
    AppendResult,
    ExpectedVersion,
    Head,
    NewEvent,
    RecordedEvent,
)
from eventstore.store import EventStore
from eventstore.subscription import Subscription

__all__ = [
    "ANY",
    "GENESIS_HASH",
    "NO_STREAM",
    "STREAM_EXISTS",
    "AppendResult",
    "ClockBehind",
    "DuplicateEventId",
    "Erase",
    "EventStore",
    "EventStoreError",
    "ExpectedVersion",
    "Head",
    "HeadMoved",
    "IdempotencyConflict",
    "ImmutableEvents",
    "InvalidEvent",
    "NewEvent",
    "RecordedEvent",
    "SchemaError",
    "StoreUnavailable",
    "Subscription",
    "VerifyReport",
    "WrongExpectedVersion",
    "canonical_json",
    "event_hash",
]
