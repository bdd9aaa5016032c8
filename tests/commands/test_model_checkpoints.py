"""The write model saved at checkpoints: a starting service loads the newest one that
still holds and folds only the events after it; one that does not hold is passed over."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from catalogue.precision import precision_of
from commands.outcome import Status
from commands.service import CommandService
from commands.write_model import codec
from commands.write_model.checkpoints import ModelCheckpoints
from commands.write_model.evolve import fold_recorded
from commands.write_model.lazy import LazyIndex
from commands.write_model.state import State
from commands.write_model.tables import command_model_checkpoints as table
from eventstore import EventStore
from opslog.database import initialise
from tests.commands.helpers import (
    PERFORMANCE,
    PLAN,
    VCTF_RECORDER,
    Clock,
    cmd,
    first_admin,
    given,
    progress,
    update,
)
from tests.projections.builders import LogWriter, open_writer
from tests.projections.random_log import write_random_log
from tests.status_scales import DORSET


def _folded(store: EventStore) -> State:
    """The write model by a fold of the whole log."""
    state = State()
    for recorded in store.read_all():
        fold_recorded(state, recorded)
    return state


@pytest.fixture
def random_log(database_url: str) -> LogWriter:
    """A seeded random log (corrections, retractions, restated values) with every table."""
    writer = open_writer(database_url)
    initialise(writer.store)
    write_random_log(writer, 11, steps=70)
    return writer


def _rows(store: EventStore) -> list[sa.Row[tuple[int, str]]]:
    with store.reading() as connection:
        return list(connection.execute(
            sa.select(table.c.position, table.c.log_hash).order_by(table.c.position)))


def test_the_encoding_keeps_every_field_and_every_order(random_log: LogWriter) -> None:
    """Decoding an encoded model gives the same model, dicts in the same order."""
    state = _folded(random_log.store)
    assert state.events and state.retracted and state.indicators and state.milestones
    encoded = codec.dumps(state)
    again = codec.loads(encoded.body, lambda: codec.load_events(encoded.events))
    assert again == state
    assert codec.dumps(again) == encoded


def test_a_service_saves_a_checkpoint_and_the_next_starts_from_it(
        random_log: LogWriter) -> None:
    """The first service folds the log and saves the model; the next loads it whole."""
    store = random_log.store
    head = store.head()
    first = CommandService(store, checkpoint_every=10)
    first.catch_up()
    assert [(row.position, row.log_hash) for row in _rows(store)] == [(head.position,
                                                                       head.hash)]
    loaded = ModelCheckpoints(store).load()
    assert loaded is not None
    assert loaded == _folded(store)


def test_a_loaded_checkpoint_is_what_the_service_starts_from(random_log: LogWriter) -> None:
    """A checkpoint that holds is used as it stands: a theme only it knows is seen."""
    store = random_log.store
    CommandService(store, checkpoint_every=1).catch_up()
    _rewrite(store, lambda model: model.themes.__setitem__(99, "Only in the checkpoint"))
    service = CommandService(store)
    assert service.catch_up().themes[99] == "Only in the checkpoint"


@pytest.mark.parametrize("spoil", ["log_hash", "fingerprint", "body_sha256"])
def test_a_checkpoint_that_does_not_hold_is_passed_over(random_log: LogWriter,
                                                        spoil: str) -> None:
    """A checkpoint of another log, another fold or an altered body: the log is folded."""
    store = random_log.store
    CommandService(store, checkpoint_every=1).catch_up()
    _rewrite(store, lambda model: model.themes.__setitem__(99, "Only in the checkpoint"))
    with store.engine.begin() as connection:
        connection.execute(table.update().values({spoil: "0" * 64}))
    state = CommandService(store).catch_up()
    assert 99 not in state.themes
    assert state == _folded(store)


def test_commands_after_a_checkpoint_are_decided_and_replayed_as_before(
        store: EventStore) -> None:
    """Rules and retries read the loaded model: a report on a milestone known only from
    before the checkpoint is accepted, and a resent command answers with its first
    positions."""
    initialise(store)
    first_admin(store)
    outcomes = given(CommandService(store, clock=Clock(), checkpoint_every=1), *PLAN)
    # Saved before the last command: a starting service folds that command on top.
    assert 0 < _rows(store)[-1].position < store.head().position
    report = progress()
    accepted = CommandService(store, clock=Clock()).submit(report)
    assert accepted.accepted, accepted.describe()
    again = CommandService(store, clock=Clock()).submit(report)
    assert again.status is Status.REPLAYED
    assert again.first_position == accepted.first_position
    replayed = CommandService(store, clock=Clock()).submit(PLAN[0])
    assert replayed.status is Status.REPLAYED
    assert replayed.first_position == outcomes[0].first_position


def test_the_index_of_events_is_read_only_when_needed_and_refolded_if_damaged(
        random_log: LogWriter) -> None:
    """A loaded model decodes its index of events on first use; an index that no longer
    hashes as saved is rebuilt from the log, and a correction still finds its target."""
    store = random_log.store
    CommandService(store, checkpoint_every=1).catch_up()
    with store.engine.begin() as connection:
        connection.execute(table.update().values(events=b"[]"))
    loaded = ModelCheckpoints(store).load()
    assert loaded is not None
    assert isinstance(loaded.events, LazyIndex) and not loaded.events.loaded()
    assert loaded.events == _folded(store).events
    assert loaded.events.loaded()


def test_a_dry_run_saves_no_checkpoint(random_log: LogWriter) -> None:
    """Nothing is written in a dry run, a checkpoint included."""
    CommandService(random_log.store, dry_run=True, checkpoint_every=1).catch_up()
    assert _rows(random_log.store) == []


def _rewrite(store: EventStore, change: object) -> None:
    """Change the saved model and re-hash it, as a checkpoint this code could have saved."""
    with store.engine.begin() as connection:
        row = connection.execute(sa.select(table.c.body, table.c.events)).one()
        model = codec.loads(bytes(row.body), lambda: codec.load_events(bytes(row.events)))
        assert callable(change)
        change(model)
        new = codec.dumps(model).body
        connection.execute(table.update().values(
            body=new, body_sha256=hashlib.sha256(new).hexdigest()))


def test_the_encoding_keeps_scales_one_offs_and_dates_at_their_precision(
        plan: CommandService, store: EventStore) -> None:
    """Every part of the model the rules read survives a checkpoint: a defined and adopted
    scale, its statuses' categories on reports, one-off updates, and dates a source gave to
    the month only; a model that lost any of them would decide differently after loading."""
    given(plan,
          cmd("DefineStatusScale", PERFORMANCE, **DORSET),
          cmd("AdoptStatusScale", PERFORMANCE, scale_id="dorset", from_quarter="2018-19-Q1"),
          progress("green"),
          progress("blue"),
          update("RecordAssetAcquired", VCTF_RECORDER, asset="Empress State Building",
                 acquirer="mopac", price="250000000", effective_date="2018-04"),
          update("RecordRolloutCompleted", VCTF_RECORDER, system="IVMA", count_installed=1200,
                 effective_date="2018-19-Q1"))
    state = _folded(store)
    assert state.scales and state.adoptions and len(state.one_offs) == 2
    encoded = codec.dumps(state)
    again = codec.loads(encoded.body, lambda: codec.load_events(encoded.events))
    assert again == state
    assert [precision_of(o.effective_date) for o in again.one_offs.values()] == [
        "month", "quarter"]
    assert {r.category for m in again.milestones.values() for r in m.reports.values()} == {
        "in_progress", "done"}
    assert codec.dumps(again) == encoded
