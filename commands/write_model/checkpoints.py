"""Saving the write model at checkpoints and starting from the newest one that still holds.

Without them every `CommandService` would fold the whole log before its first command
(a minute at a million events). With them it loads the model as saved at a position and
folds only the events after it. A checkpoint is used only when all of these hold, else
it is passed over and the log folded instead, so a wrong checkpoint costs time, never a
wrong answer:

- it was written by this code's fold (`fingerprint`: the sources of the model, the fold
  and the codec, and the catalogue's event types and versions);
- the log still holds, at its position, the hash it was saved against (the same query);
- its body still hashes to the SHA-256 saved beside it.

The index of every event by id is read only when a correction first needs it; if by then
that part no longer hashes as saved, it is rebuilt by a fold of the log up to the
checkpoint's position instead.

Databases without the table (a store migrated without the commands branch) simply have
no checkpoints.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from catalogue.base import CATALOGUE
from commands.write_model import codec, evolve, lazy, state
from commands.write_model.evolve import fold_recorded
from commands.write_model.state import EventRef, State
from commands.write_model.tables import command_model_checkpoints as table
from eventstore import EventStore
from eventstore.tables import events

CHECKPOINT_EVERY = 10_000
"""Events folded since the last checkpoint before a new one is saved: what a starting
service folds at most on top of the one it loads."""


@cache
def fingerprint() -> str:
    """What a checkpoint must have been written by: the fold's code and the catalogue."""
    digest = hashlib.sha256(f"format {codec.FORMAT}\n".encode())
    for module in (state, evolve, codec, lazy):
        digest.update(Path(module.__file__ or "").read_bytes())
    for name in sorted(CATALOGUE):
        digest.update(f"{name} {CATALOGUE[name].event_class.schema_version}\n".encode())
    return digest.hexdigest()


class ModelCheckpoints:
    """The write model's checkpoints in one store."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._present: bool | None = None

    def present(self) -> bool:
        """Whether the database has the table (asked once)."""
        if self._present is None:
            with self.store.reading() as connection:
                self._present = sa.inspect(connection).has_table(table.name)
        return self._present

    def load(self) -> State | None:
        """The newest checkpoint that still holds (module docstring), or None."""
        if not self.present():
            return None
        query = (
            sa.select(table.c.position, table.c.body, table.c.body_sha256)
            .join(events, sa.and_(events.c.position == table.c.position,
                                  events.c.hash == table.c.log_hash))
            .where(table.c.fingerprint == fingerprint())
            .order_by(table.c.position.desc())
            .limit(1)
        )
        with self.store.reading() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        body = bytes(row.body)
        if hashlib.sha256(body).hexdigest() != row.body_sha256:
            return None
        position = row.position
        try:
            return codec.loads(body, lambda: self._events(position))
        except (ValueError, TypeError, KeyError, LookupError):
            return None

    def _events(self, position: int) -> dict[uuid.UUID, EventRef]:
        """The index of events saved at `position`; a fold of the log up to it when that
        part is gone or no longer hashes as saved."""
        query = sa.select(table.c.events, table.c.events_sha256).where(
            table.c.position == position, table.c.fingerprint == fingerprint())
        with self.store.reading() as connection:
            row = connection.execute(query).first()
        if row is not None:
            part = bytes(row.events)
            if hashlib.sha256(part).hexdigest() == row.events_sha256:
                try:
                    return codec.load_events(part)
                except (ValueError, TypeError, KeyError, LookupError):
                    pass
        state = State()
        for recorded in self.store.read_all(to_position=position):
            fold_recorded(state, recorded)
        return dict(state.events)

    def save(self, model: State) -> bool:
        """Save `model` as the newest checkpoint and drop the older ones; False when the
        table is missing, the position is no longer in the log, or another process saved
        the same position first."""
        if not self.present() or model.position <= 0:
            return False
        body, events_part = codec.dumps(model)
        try:
            with self.store.engine.begin() as connection:
                log_hash = connection.execute(
                    sa.select(events.c.hash).where(events.c.position == model.position)
                ).scalar()
                if log_hash is None:
                    return False
                connection.execute(table.delete().where(table.c.position <= model.position))
                connection.execute(table.insert().values(
                    position=model.position, log_hash=log_hash, fingerprint=fingerprint(),
                    body=body, body_sha256=hashlib.sha256(body).hexdigest(),
                    events=events_part,
                    events_sha256=hashlib.sha256(events_part).hexdigest(),
                    created_at=datetime.now(UTC),
                ))
        except sa_exc.IntegrityError:
            return False
        return True
