"""The checkpoint job, and the checkpoints quarter-close snapshots and publications carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from eventstore import EventStore
from eventstore.checkpoints import checkpoint_by_id, latest_checkpoint
from eventstore.transparency.checkpoint import open_checkpoint
from eventstore.transparency.note import Signer
from eventstore.tree import root_at
from opslog.scheduler import jobs
from projections.snapshots.publishing import publish
from projections.snapshots.registry import snapshot_infos
from tests.projections.builders import LogWriter, open_writer
from tests.projections.random_log import write_random_log

KEY = Signer.from_seed("opslog.example/scheduled", bytes(range(32)))


@pytest.fixture
def log(url: str) -> LogWriter:
    writer = open_writer(url, create=False)
    write_random_log(writer, 5, steps=120)
    return writer


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> Signer:
    monkeypatch.setenv("OPSLOG_SIGNING_KEY", KEY.text())
    monkeypatch.setenv("OPSLOG_ORIGIN", "opslog.example/scheduled")
    return KEY


def test_without_a_key_no_checkpoint_is_made(url: str, log: LogWriter,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPSLOG_SIGNING_KEY", raising=False)
    assert jobs.make_checkpoint(url) is None
    with log.store.engine.connect() as connection:
        assert latest_checkpoint(connection) is None


def test_a_checkpoint_is_signed_when_the_log_grew(url: str, log: LogWriter,
                                                  keyed: Signer) -> None:
    made = jobs.make_checkpoint(url)
    assert made is not None
    assert jobs.make_checkpoint(url) is None, "the log did not grow: no second checkpoint"
    with log.store.engine.connect() as connection:
        stored = checkpoint_by_id(connection, made)
        assert stored is not None
        head = log.store.head().position
        opened = open_checkpoint(stored.note, keyed.verifier()).checkpoint
        assert (opened.size, opened.root) == (head, root_at(connection, head))


def test_snapshots_and_publications_carry_a_checkpoint(url: str, log: LogWriter,
                                                       keyed: Signer) -> None:
    head = log.store.head()
    assert head.recorded_at is not None
    with time_machine.travel(head.recorded_at + timedelta(days=200), tick=False):
        outcome = jobs.close_quarters(url)
    assert outcome.created
    with EventStore.open(url) as store, store.engine.connect() as connection:
        for info in snapshot_infos(connection):
            assert info.checkpoint_id is not None
            stored = checkpoint_by_id(connection, info.checkpoint_id)
            assert stored is not None and stored.size == info.position
            assert stored.root == root_at(connection, info.position)
    with EventStore.open(url, signing=jobs.signing_from_environment(
            sa.engine.make_url(url))) as store:
        quarter = outcome.created[0].info.quarter
        published = publish(store, quarter, published_by="tester", now=datetime.now(UTC))
        with store.engine.connect() as connection:
            assert published.publication.checkpoint_id is not None
            stored = checkpoint_by_id(connection, published.publication.checkpoint_id)
            assert stored is not None and stored.size == store.head().position
