"""Saving the write model at checkpoints and starting from the newest one that still holds.

Without them every `CommandService` would fold the whole log before its first command (a
minute at a million events); with a checkpoint decoded whole it would still decode a
model that grows with the log. Here a checkpoint is a row per entity
(`write_model.tables`), and a loaded model reads an entity only when a command or the
fold of the events after the checkpoint looks it up (`write_model.entities`): starting
costs the events since the checkpoint and the entities they and the command touch.

A checkpoint is used only when all of these hold, else it is passed over and the log
folded instead, so a wrong checkpoint costs time, never a wrong answer:

- it was written by this code's fold (`fingerprint`: the sources of the model, the fold
  and the codec, and the catalogue's event types and versions);
- the log still holds, at its position, the hash it was saved against (the same query);
- its head still hashes to the SHA-256 saved beside it.

Saving writes the entities changed since the checkpoint the model was loaded from (or
last saved), at the new position, when that checkpoint is still kept; a model folded from
the log writes every entity and replaces all rows. Two checkpoints are kept: the rows the
older of them no longer reads are deleted when a third is saved. A service still reading
from a checkpoint dropped since (it lived through two newer ones without looking an
entity up) folds the log up to its checkpoint's position once and reads from that.

Databases without the tables (a store migrated without the commands branch) simply have
no checkpoints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from catalogue.base import CATALOGUE
from commands.write_model import codec, entities, evolve, state
from commands.write_model.codec import KINDS, Kind
from commands.write_model.entities import Entities, EntitySet
from commands.write_model.evolve import fold_recorded
from commands.write_model.state import State
from commands.write_model.tables import command_model_checkpoints as heads
from commands.write_model.tables import command_model_entities as rows
from eventstore import EventStore
from eventstore.tables import events

CHECKPOINT_EVERY = 1_000
"""Events folded since the last checkpoint before a new one is saved: what a starting
service folds at most on top of the one it loads. Saving writes only the entities those
events changed, so it can be frequent."""

_CHUNK = 500
"""Keys per query when many are read at once, and rows per insert."""


@cache
def fingerprint() -> str:
    """What a checkpoint must have been written by: the fold's code and the catalogue."""
    digest = hashlib.sha256(f"format {codec.FORMAT}\n".encode())
    for module in (state, evolve, codec, entities):
        digest.update(Path(module.__file__ or "").read_bytes())
    for name in sorted(CATALOGUE):
        digest.update(f"{name} {CATALOGUE[name].event_class.schema_version}\n".encode())
    return digest.hexdigest()


def maps(model: State) -> Iterator[tuple[Kind[Any, Any], Any]]:
    """Each of the model's maps with its kind (`retracted` as the map under its set)."""
    for kind in KINDS:
        held = getattr(model, kind.name)
        if kind.name == "retracted":
            held = held.entities if isinstance(held, EntitySet) else dict.fromkeys(held, True)
        yield kind, held


class ModelCheckpoints:
    """The write model's checkpoints in one store."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._present: bool | None = None

    def present(self) -> bool:
        """Whether the database has the tables (asked once)."""
        if self._present is None:
            with self.store.reading() as connection:
                inspector = sa.inspect(connection)
                self._present = (inspector.has_table(heads.name)
                                 and inspector.has_table(rows.name))
        return self._present

    def load(self) -> State | None:
        """The newest checkpoint that still holds (module docstring), its entities read
        when first looked up; or None."""
        if not self.present():
            return None
        query = (
            sa.select(heads.c.position, heads.c.head, heads.c.head_sha256)
            .join(events, sa.and_(events.c.position == heads.c.position,
                                  events.c.hash == heads.c.log_hash))
            .where(heads.c.fingerprint == fingerprint())
            .order_by(heads.c.position.desc())
            .limit(1)
        )
        with self.store.reading() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        head = bytes(row.head)
        if hashlib.sha256(head).hexdigest() != row.head_sha256:
            return None
        try:
            position, adoptions = codec.loads_head(head)
        except (ValueError, TypeError, KeyError, LookupError):
            return None
        if position != row.position:
            return None
        at = _Checkpoint(self.store, position)
        parts: dict[str, Any] = {}
        for kind in KINDS:
            held = Entities(_Rows(at, kind), mutable=kind.mutable)
            parts[kind.name] = EntitySet(held) if kind.name == "retracted" else held
        model = State(position=position, adoptions=adoptions, saved_at=position, **parts)
        self._fold_tail(model)
        return model

    def _fold_tail(self, model: State) -> None:
        """Fold the events after the checkpoint, reading the commits they may continue in
        one query per page first: each event's command id is looked up, and mostly missed,
        which one query each would make the dearest part of starting."""
        tail = self.store.read_all(from_position=model.position + 1)
        commits = model.commits
        assert isinstance(commits, Entities)
        while page := list(islice(tail, _CHUNK)):
            commits.prefetch({command_id for recorded in page
                              if isinstance(command_id := recorded.metadata.get("command_id"),
                                            str) and command_id})
            for recorded in page:
                fold_recorded(model, recorded)

    def save(self, model: State) -> bool:
        """Save `model` as the newest checkpoint; False when the tables are missing, the
        position is no longer in the log, a checkpoint at or after it exists, or the one
        the model stands on is no longer kept (another service saved since)."""
        if not self.present() or model.position <= 0:
            return False
        base = model.saved_at
        if base is not None and not all(isinstance(held, Entities) for _, held in maps(model)):
            base = None
        written: list[dict[str, Any]] = []
        for kind, held in maps(model):
            if base is None:
                keys: Iterable[Any] = list(held)
            else:
                keys = held.changed()
            for key in keys:
                found = key in held
                written.append({"kind": kind.name, "key": kind.key(key),
                                "position": model.position,
                                "body": kind.dumps(held[key]) if found else None})
        head = codec.dumps_head(model.position, model.adoptions)
        try:
            with self.store.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(sa.text(
                        f"LOCK TABLE {heads.name} IN SHARE ROW EXCLUSIVE MODE"))
                if not self._may_save(connection, model.position, base):
                    return False
                log_hash = connection.execute(
                    sa.select(events.c.hash).where(events.c.position == model.position)
                ).scalar()
                if log_hash is None:
                    return False
                if base is None:
                    connection.execute(rows.delete())
                    connection.execute(heads.delete())
                for chunk in _chunks(written, _CHUNK):
                    connection.execute(rows.insert(), chunk)
                connection.execute(heads.insert().values(
                    position=model.position, log_hash=log_hash, fingerprint=fingerprint(),
                    head=head, head_sha256=hashlib.sha256(head).hexdigest(),
                    created_at=datetime.now(UTC),
                ))
                _prune(connection, model.position)
        except sa_exc.IntegrityError:
            return False
        _adopt(model)
        return True

    @staticmethod
    def _may_save(connection: sa.Connection, position: int, base: int | None) -> bool:
        """No checkpoint at or after `position`; `base` (if any) still kept, by this code."""
        later = connection.execute(
            sa.select(heads.c.position).where(heads.c.position >= position).limit(1)
        ).first()
        if later is not None:
            return False
        if base is None:
            return True
        return connection.execute(
            sa.select(heads.c.position).where(heads.c.position == base,
                                              heads.c.fingerprint == fingerprint())
        ).first() is not None


def _prune(connection: sa.Connection, newest: int) -> None:
    """Keep the two newest checkpoints: drop the older ones and the rows that neither
    reads (superseded by a row at or before the older kept one)."""
    kept = connection.execute(
        sa.select(heads.c.position).where(heads.c.position < newest)
        .order_by(heads.c.position.desc()).limit(1)
    ).scalar()
    if kept is None:
        return
    dropped = connection.execute(
        sa.select(sa.func.max(heads.c.position)).where(heads.c.position < kept)
    ).scalar()
    if dropped is None:
        return
    connection.execute(heads.delete().where(heads.c.position < kept))
    superseding = (sa.select(rows.c.kind, rows.c.key)
                   .where(rows.c.position > dropped, rows.c.position <= kept))
    connection.execute(rows.delete().where(
        rows.c.position <= dropped,
        sa.tuple_(rows.c.kind, rows.c.key).in_(superseding)))


def _adopt(model: State) -> None:
    """After a save, the model's maps stand on it: plain dicts become `Entities` with
    every entry known, so the next save writes only what changes."""
    for kind, held in maps(model):
        if isinstance(held, Entities):
            held.saved()
            continue
        adopted: Entities[Any, Any] = Entities(None, dict(held), mutable=kind.mutable)
        setattr(model, kind.name, EntitySet(adopted) if kind.name == "retracted" else adopted)
    model.saved_at = model.position


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


_ONE = sa.select(
    sa.select(heads.c.position).where(heads.c.position == sa.bindparam("at"))
    .scalar_subquery().label("kept"),
    sa.select(rows.c.body)
    .where(rows.c.kind == sa.bindparam("kind"), rows.c.key == sa.bindparam("key"),
           rows.c.position <= sa.bindparam("at"))
    .order_by(rows.c.position.desc()).limit(1).scalar_subquery().label("body"),
)
"""A key's newest row at or before checkpoint ``at``, and whether that checkpoint is still
kept, in one statement (so one snapshot); built once."""


class _Checkpoint:
    """One checkpoint's rows as a service reads them, and its fallback: a fold of the log
    up to its position, once, if the checkpoint has been dropped since."""

    def __init__(self, store: EventStore, position: int) -> None:
        self.store = store
        self.position = position
        self._folded: State | None = None

    def kept(self, connection: sa.Connection) -> bool:
        return connection.execute(
            sa.select(heads.c.position).where(heads.c.position == self.position)
        ).first() is not None

    def folded(self) -> State:
        """The model at this checkpoint's position by a fold of the log."""
        if self._folded is None:
            model = State()
            for recorded in self.store.read_all(to_position=self.position):
                fold_recorded(model, recorded)
            self._folded = model
        return self._folded


class _Rows:
    """The entries of one kind at one checkpoint (`entities.Source`)."""

    def __init__(self, checkpoint: _Checkpoint, kind: Kind[Any, Any]) -> None:
        self.checkpoint = checkpoint
        self.kind = kind
        self._folded: dict[Any, Any] | None = None

    def _fallback(self) -> dict[Any, Any]:
        if self._folded is None:
            held = getattr(self.checkpoint.folded(), self.kind.name)
            self._folded = (dict.fromkeys(held, True) if self.kind.name == "retracted"
                            else dict(held))
        return self._folded

    def one(self, key: Any) -> tuple[bool, Any]:
        with self.checkpoint.store.reading() as connection:
            row = connection.execute(_ONE, {"kind": self.kind.name, "key": self.kind.key(key),
                                            "at": self.checkpoint.position}).one()
        if row.kept is None:
            fallback = self._fallback()
            return (key in fallback), fallback.get(key)
        if row.body is None:
            return False, None
        return True, self.kind.loads(key, row.body)

    def many(self, keys: Iterable[Any]) -> dict[Any, Any]:
        texts = {self.kind.key(key): key for key in keys}
        found: dict[Any, Any] = {}
        with self.checkpoint.store.reading() as connection:
            for chunk in _chunks(sorted(texts), _CHUNK):
                newest = self._newest(connection, rows.c.key.in_(chunk))
                found.update({texts[text]: body for text, body in newest.items()})
            kept = self.checkpoint.kept(connection)
        if not kept:
            fallback = self._fallback()
            return {key: fallback[key] for key in texts.values() if key in fallback}
        return {key: self.kind.loads(key, body) for key, body in found.items()}

    def every(self) -> dict[Any, Any]:
        with self.checkpoint.store.reading() as connection:
            newest = self._newest(connection, sa.true())
            kept = self.checkpoint.kept(connection)
        if not kept:
            return self._fallback()
        read_key, loads = self.kind.read_key, self.kind.loads
        return {(key := read_key(text)): loads(key, body) for text, body in newest.items()}

    def _newest(self, connection: sa.Connection,
                which: sa.ColumnElement[bool]) -> dict[str, str]:
        """Each key's body in its newest row at or before the checkpoint (read before
        asking whether the checkpoint is still kept: a drop deletes both at once)."""
        query = (sa.select(rows.c.key, rows.c.body)
                 .where(rows.c.kind == self.kind.name, rows.c.position <= self.checkpoint.position,
                        which)
                 .order_by(rows.c.key, rows.c.position))
        newest: dict[str, str | None] = {}
        for text, body in connection.execute(query):
            newest[text] = body
        return {text: body for text, body in newest.items() if body is not None}
