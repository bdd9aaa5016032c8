"""The one place where driver errors become `EventStoreError` subclasses."""

from __future__ import annotations

import sqlalchemy.exc as sa_exc

from eventstore.errors import (
    DuplicateEventId,
    EventStoreError,
    ImmutableEvents,
    SchemaError,
    StoreUnavailable,
)


def translate(error: sa_exc.DBAPIError | sa_exc.SQLAlchemyError) -> EventStoreError:
    """Name what went wrong in the store's own words; the caller raises it ``from error``."""
    message = str(getattr(error, "orig", None) or error)
    lowered = message.lower()
    if "append-only" in lowered:
        return ImmutableEvents(message.splitlines()[0])
    if isinstance(error, sa_exc.IntegrityError) and "event_id" in lowered:
        return DuplicateEventId(_duplicate_value(message))
    if "no such table" in lowered or ("does not exist" in lowered and "relation" in lowered):
        return SchemaError(
            "the database has no event log yet: run `opslog init` (or open with create=True)"
        )
    if "eventstore_append_state" in lowered and "does not exist" in lowered:
        return SchemaError(
            "the database's event log predates this code (no es0006): run `opslog init` "
            "(or open with create=True) to migrate it"
        )
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return StoreUnavailable(message.splitlines()[0])
    return EventStoreError(message.splitlines()[0])


def _duplicate_value(message: str) -> str:
    """PostgreSQL says which id; SQLite does not, so fall back to the constraint."""
    marker = "(event_id)=("
    if marker in message:
        return message.split(marker, 1)[1].split(")", 1)[0]
    return "(one of the commit's events)"
