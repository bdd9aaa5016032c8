"""The write model saved at checkpoints: a starting service reads from the newest one that
still holds only the entities it looks up, folds the events after it, and decides as a
service that folded the whole log; one that does not hold is passed over."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from catalogue.precision import precision_of
from commands.outcome import Outcome, Status
from commands.service import CommandService
from commands.write_model.checkpoints import ModelCheckpoints, maps
from commands.write_model.entities import Entities
from commands.write_model.evolve import fold_recorded
from commands.write_model.state import State
from commands.write_model.tables import command_model_checkpoints as heads
from commands.write_model.tables import command_model_entities as rows
from eventstore import EventStore
from opslog.database import initialise
from tests.commands.helpers import (
    ADMIN,
    PERFORMANCE,
    PLAN,
    VCTF_RECORDER,
    Clock,
    cmd,
    event_id,
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


def _heads(store: EventStore) -> list[sa.Row[tuple[int, str]]]:
    with store.reading() as connection:
        return list(connection.execute(
            sa.select(heads.c.position, heads.c.log_hash).order_by(heads.c.position)))


def _row_count(store: EventStore, position: int | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(rows)
    if position is not None:
        query = query.where(rows.c.position == position)
    with store.reading() as connection:
        return int(connection.execute(query).scalar_one())


def test_the_encoding_keeps_every_entity_and_the_order_inside_it(
        random_log: LogWriter) -> None:
    """Each entity decodes to what was encoded, keys included; a model loaded from a
    checkpoint equals the fold, and its milestones' reports keep their order."""
    state = _folded(random_log.store)
    assert state.events and state.retracted and state.indicators and state.milestones
    for kind, held in maps(state):
        for key, value in held.items():
            assert kind.read_key(kind.key(key)) == key
            assert kind.loads(key, kind.dumps(value)) == value
    CommandService(random_log.store, checkpoint_every=1).catch_up()
    loaded = ModelCheckpoints(random_log.store).load()
    assert loaded is not None
    for milestone_id, milestone in state.milestones.items():
        again = loaded.milestones[milestone_id]
        assert list(again.reports) == list(milestone.reports)
        assert list(again.reschedules.values()) == list(milestone.reschedules.values())
    assert loaded == state


def test_a_service_saves_a_checkpoint_and_the_next_starts_from_it(
        random_log: LogWriter) -> None:
    """The first service folds the log and saves the model; the next loads it."""
    store = random_log.store
    head = store.head()
    CommandService(store, checkpoint_every=10).catch_up()
    assert [(row.position, row.log_hash) for row in _heads(store)] == [(head.position,
                                                                        head.hash)]
    loaded = ModelCheckpoints(store).load()
    assert loaded is not None
    assert loaded == _folded(store)


def test_a_loaded_model_reads_only_the_entities_looked_up(random_log: LogWriter) -> None:
    """Loading reads no entity; looking one up reads it (and a miss is remembered)."""
    store = random_log.store
    CommandService(store, checkpoint_every=1).catch_up()
    loaded = ModelCheckpoints(store).load()
    assert loaded is not None
    assert all(isinstance(held, Entities) and not held.complete()
               for kind, held in maps(loaded))
    folded = _folded(store)
    milestone_id = next(iter(folded.milestones))
    assert loaded.milestones[milestone_id] == folded.milestones[milestone_id]
    assert "no-such-milestone" not in loaded.milestones
    assert loaded.milestones.get("no-such-milestone") is None
    assert not loaded.milestones.complete() and not loaded.events.complete()  # type: ignore[attr-defined]
    assert dict(loaded.milestones) == dict(folded.milestones)
    assert loaded.milestones.complete()  # type: ignore[attr-defined]


def test_a_loaded_checkpoint_is_what_the_service_starts_from(random_log: LogWriter) -> None:
    """A checkpoint that holds is used as it stands: a theme only it knows is seen."""
    store = random_log.store
    CommandService(store, checkpoint_every=1).catch_up()
    _add_theme(store)
    service = CommandService(store)
    assert service.catch_up().themes[99] == "Only in the checkpoint"


@pytest.mark.parametrize("spoil", ["log_hash", "fingerprint", "head_sha256"])
def test_a_checkpoint_that_does_not_hold_is_passed_over(random_log: LogWriter,
                                                        spoil: str) -> None:
    """A checkpoint of another log, another fold or an altered head: the log is folded."""
    store = random_log.store
    CommandService(store, checkpoint_every=1).catch_up()
    _add_theme(store)
    with store.engine.begin() as connection:
        connection.execute(heads.update().values({spoil: "0" * 64}))
    state = CommandService(store).catch_up()
    assert 99 not in state.themes
    assert state == _folded(store)


def _add_theme(store: EventStore) -> None:
    """A theme in the newest checkpoint that the log does not hold."""
    with store.engine.begin() as connection:
        position = connection.execute(sa.select(sa.func.max(heads.c.position))).scalar_one()
        connection.execute(rows.insert().values(kind="themes", key="99", position=position,
                                                body='"Only in the checkpoint"'))


def test_commands_after_a_checkpoint_are_decided_and_replayed_as_before(
        store: EventStore) -> None:
    """Rules and retries read the loaded model: a report on a milestone known only from
    before the checkpoint is accepted, and a resent command answers with its first
    positions."""
    initialise(store)
    first_admin(store)
    outcomes = given(CommandService(store, clock=Clock(), checkpoint_every=1), *PLAN)
    # Saved before the last command: a starting service folds that command on top.
    assert 0 < _heads(store)[-1].position < store.head().position
    report = progress()
    accepted = CommandService(store, clock=Clock()).submit(report)
    assert accepted.accepted, accepted.describe()
    again = CommandService(store, clock=Clock()).submit(report)
    assert again.status is Status.REPLAYED
    assert again.first_position == accepted.first_position
    replayed = CommandService(store, clock=Clock()).submit(PLAN[0])
    assert replayed.status is Status.REPLAYED
    assert replayed.first_position == outcomes[0].first_position


def test_a_later_checkpoint_writes_only_what_changed_and_two_are_kept(
        store: EventStore) -> None:
    """A service started from a checkpoint saves the entities it changed, not the model;
    the third checkpoint drops the first and the rows only it read, and each kept one
    still loads as the fold up to its position."""
    initialise(store)
    first_admin(store)
    given(CommandService(store, clock=Clock()), *PLAN)
    CommandService(store, clock=Clock(), checkpoint_every=1).catch_up()
    whole = _row_count(store)
    assert whole > 40
    positions = []
    for status in ("on_track", "some_delay", "on_track"):
        given(CommandService(store, clock=Clock()), progress(status))
        # the next service to start folds that command on the checkpoint, and saves
        CommandService(store, clock=Clock(), checkpoint_every=1).catch_up()
        positions.append(store.head().position)
        assert _heads(store)[-1].position == positions[-1]
        # the report's event, its stream's version, its commit, the milestone, the
        # recorder's roles (read by the rule) and what the tail folded
        assert _row_count(store, positions[-1]) < whole / 3
    assert [row.position for row in _heads(store)] == positions[-2:]
    loaded = ModelCheckpoints(store).load()
    assert loaded == _folded(store)


def test_a_service_whose_checkpoint_was_dropped_reads_the_log_instead(
        store: EventStore) -> None:
    """A service that loaded a checkpoint, then outlived two newer ones saved by others
    before looking an entity up, folds the log up to its checkpoint and decides right."""
    initialise(store)
    first_admin(store)
    given(CommandService(store, clock=Clock()), *PLAN)
    CommandService(store, clock=Clock(), checkpoint_every=1).catch_up()
    old = CommandService(store, clock=Clock())
    old.catch_up()
    for status in ("on_track", "some_delay"):
        given(CommandService(store, clock=Clock()), progress(status))
        CommandService(store, clock=Clock(), checkpoint_every=1).catch_up()
    assert old.state.position not in [row.position for row in _heads(store)]
    outcome = old.submit(cmd("RescheduleMilestone", PERFORMANCE, milestone_id="vctf",
                             to_quarter="2018-19-Q2", reason="recruitment"))
    assert outcome.accepted, outcome.describe()
    assert old.state == _folded(store)


def test_a_dry_run_saves_no_checkpoint(random_log: LogWriter) -> None:
    """Nothing is written in a dry run, a checkpoint included."""
    CommandService(random_log.store, dry_run=True, checkpoint_every=1).catch_up()
    assert _heads(random_log.store) == []


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
    initialise(store)
    assert ModelCheckpoints(store).save(_folded(store))
    again = ModelCheckpoints(store).load()
    assert again is not None
    assert again == state
    assert sorted(precision_of(o.effective_date) for o in again.one_offs.values()) == [
        "month", "quarter"]
    assert {r.category for m in again.milestones.values() for r in m.reports.values()} == {
        "in_progress", "done"}


# -- property: a model read from checkpoints decides as the whole fold ------------------------


Commands = list[Callable[[random.Random], dict[str, Any]]]


MILESTONES = ("vctf", "m1", "m2", "m3")
ASSETS = ("Empress State Building", "empress  state building", "Cobalt Square")

COMMANDS: Commands = [
    lambda rng: progress(rng.choice(("on_track", "some_delay", "delivered", "nonsense")),
                               milestone_id=rng.choice(MILESTONES),
                               quarter=rng.choice(("2018-19-Q1", "2018-19-Q2"))),
    *[lambda rng: cmd("ScheduleMilestone", PERFORMANCE,
                      milestone_id=rng.choice(MILESTONES), title="A milestone",
                      topic_id=rng.choice(("violent-crime", "estates", "nowhere")),
                      due_quarter="2018-19-Q2", owner_unit="vctf")] * 2,
    lambda rng: cmd("RescheduleMilestone", PERFORMANCE,
                          milestone_id=rng.choice(MILESTONES),
                          to_quarter=rng.choice(("2018-19-Q2", "2018-19-Q3", "2018-19-Q4")),
                          reason="recruitment"),
    lambda rng: cmd("WithdrawMilestone", PERFORMANCE, milestone_id=rng.choice(MILESTONES),
                          reason="superseded"),
    lambda rng: update("RecordAssetAcquired", VCTF_RECORDER, asset=rng.choice(ASSETS),
                             acquirer="mopac", price="250000000", effective_date="2018-04"),
    lambda rng: cmd("GrantRole", ADMIN, actor=rng.choice(("a.one", "a.two")),
                          role=rng.choice(("auditor", "performance"))),
    lambda rng: cmd("RevokeRole", ADMIN, actor=rng.choice(("a.one", "a.two")),
                          role=rng.choice(("auditor", "performance"))),
    lambda rng: cmd("RescheduleMilestone", rng.choice(("a.one", "a.two")),
                    milestone_id=rng.choice(MILESTONES), to_quarter="2018-19-Q4",
                    reason="as another actor"),
]


def _same_decision(expected: Outcome, actual: Outcome) -> None:
    described = f"{expected.describe()} / {actual.describe()}"
    assert (expected.status is Status.VALID) == (actual.status is Status.ACCEPTED), described
    assert expected.event_types == actual.event_types, described
    assert (expected.field, expected.reason) == (actual.field, actual.reason), described


@pytest.mark.parametrize("seed", [1, 2])
def test_a_service_from_checkpoints_decides_as_one_that_folded_the_whole_log(
        store: EventStore, seed: int) -> None:
    """Random commands, some refused, some corrections of earlier ones, each submitted by
    a new service that starts from the checkpoints its predecessors saved (every few
    events, so each stands on the last): its decision is the one a service that folded
    the whole log makes (checked first in a dry run, without the checkpoints), and the
    model it saves loads as the fold."""
    initialise(store)
    first_admin(store)
    given(CommandService(store, clock=Clock(), checkpoint_every=1), *PLAN)
    rng = random.Random(seed)
    done: list[Outcome] = []
    for _ in range(40):
        envelope = _command(rng, store, done)
        saved = _take_checkpoints(store)
        expected = CommandService(store, clock=Clock(), dry_run=True).submit(envelope)
        _put_checkpoints(store, saved)
        actual = CommandService(store, clock=Clock(),
                                checkpoint_every=rng.choice((1, 2, 3))).submit(envelope)
        _same_decision(expected, actual)
        done.append(actual)
    assert 8 <= sum(outcome.accepted for outcome in done) <= 32
    loaded = ModelCheckpoints(store).load()
    assert loaded is not None
    assert loaded == _folded(store)


def _command(rng: random.Random, store: EventStore, done: list[Outcome]) -> dict[str, Any]:
    """A random command; one in five corrects or retracts an earlier event."""
    accepted = [outcome for outcome in done if outcome.accepted]
    if accepted and rng.random() < 0.2:
        answered = rng.choice(accepted)
        target = event_id(store, answered)
        who = {"ReportMilestoneProgress": VCTF_RECORDER, "RecordAssetAcquired": VCTF_RECORDER,
               "GrantRole": ADMIN, "RevokeRole": ADMIN}.get(answered.command_type or "",
                                                            PERFORMANCE)
        if rng.random() < 0.5:
            return cmd("RetractEvent", who, event_id=target, reason="recorded twice")
        return cmd("CorrectEvent", who, event_id=target,
                   changes=rng.choice(({"status": "some_delay"}, {"title": "Renamed"},
                                       {"asset": "Cobalt Square"})),
                   reason="typo")
    return rng.choice(COMMANDS)(rng)


def _take_checkpoints(store: EventStore) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Remove the checkpoints (so that a service folds the log), returning their rows."""
    with store.engine.begin() as connection:
        taken = ([dict(row._mapping) for row in connection.execute(sa.select(heads))],
                 [dict(row._mapping) for row in connection.execute(sa.select(rows))])
        connection.execute(rows.delete())
        connection.execute(heads.delete())
    return taken


def _put_checkpoints(store: EventStore,
                     taken: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    with store.engine.begin() as connection:
        if taken[0]:
            connection.execute(heads.insert(), taken[0])
        if taken[1]:
            connection.execute(rows.insert(), taken[1])
