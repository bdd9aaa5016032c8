"""Snapshots cut on the declared date (``snapshot create --as-reported DATE``), and the
migration that gave snapshots that key (pj0010_reported_snapshots)."""

from __future__ import annotations

import contextlib
import json
from datetime import date

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from click.testing import CliRunner

from eventstore import EventStore, schema
from opslog.cli import main
from opslog.database import alembic_config
from projections.snapshots.registry import load_snapshot, snapshot_infos
from projections.snapshots.verify import verify_snapshots

BEFORE = "pj0009"
SNAPSHOT_ROW = (
    "INSERT INTO snapshots (id, quarter, cutoff_at, cutoff_position, head_hash, board_state, "
    "board_state_sha256, narrative_state, narrative_state_sha256, markdown, markdown_sha256, "
    "html, html_sha256, opslog_version, created_at, created_by) VALUES (7, '2018-19-Q1', "
    "'2018-07-01 00:00:00.000000', 0, :hash, '{}', :hash, '{}', :hash, '', :hash, '', :hash, "
    "'old', '2018-07-02 00:00:00.000000', 'alice')")


def _run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_migration_keeps_every_snapshot_and_its_publication(database_url: str) -> None:
    """A snapshot and its publication made before the revision are kept, with their ids;
    the tables stay append-only; the same quarter and position then takes one snapshot per
    declared date, and one again is a no-op; the downgrade refuses while one exists."""
    with EventStore.open(database_url) as store:
        engine = store.engine
        schema.upgrade(engine, alembic_config(), BEFORE)
        with engine.begin() as connection:
            connection.execute(sa.text(SNAPSHOT_ROW), {"hash": "0" * 64})
            connection.execute(sa.text(
                "INSERT INTO publications (quarter, snapshot_id, published_at, published_by) "
                "VALUES ('2018-19-Q1', 7, '2018-07-03 00:00:00.000000', 'alice')"))
        schema.upgrade(engine, alembic_config())
        with engine.connect() as connection:
            (info,) = snapshot_infos(connection)
            published = connection.execute(sa.text("SELECT snapshot_id FROM publications")
                                           ).scalar_one()
        assert (info.id, info.created_by, info.reported_on, published) == (7, "alice", None, 7)
        for statement in ("UPDATE snapshots SET created_by = 'mallory'",
                          "DELETE FROM snapshots"):
            with pytest.raises(sa_exc.DBAPIError), engine.begin() as connection:
                connection.execute(sa.text(statement))
        declared = SNAPSHOT_ROW.replace("(id, ", "(cutoff_reported, id, ").replace(
            "VALUES (7, ", "VALUES ('2018-06-30', 8, ")
        with engine.begin() as connection:
            connection.execute(sa.text(declared), {"hash": "1" * 64})
        # PostgreSQL refuses the duplicate key; SQLite's no-replace trigger ignores it
        with contextlib.suppress(sa_exc.IntegrityError), engine.begin() as connection:
            connection.execute(sa.text(declared.replace("8, '2018-19-Q1'", "9, '2018-19-Q1'")),
                               {"hash": "2" * 64})
        with engine.connect() as connection:
            assert [(i.id, i.reported_on) for i in snapshot_infos(connection)] == [
                (7, None), (8, date(2018, 6, 30))]
        with pytest.raises(RuntimeError, match="cut on a declared date exist"):
            schema.downgrade(engine, alembic_config(), BEFORE)


def test_snapshots_cut_on_two_declared_dates(database_url: str) -> None:
    """Over the demo's history, Quarter 1 as reported on 30 June 2018 and on 25 April 2019
    are two snapshots, each at the position of the last event reported by its date (the
    Quarter 1 return's, the restatement's): the first says 827,225, the second 829,418;
    asked again (even after the log grew), nothing is written; both verify against the
    log, and a question at the head is never resumed from one."""
    _run("--db", database_url, "demo", "--no-report")
    create = ("--db", database_url, "snapshot", "create", "--quarter", "2018-19-Q1",
              "--actor", "opslog.admin", "--as-reported")
    assert _run(*create, "2018-06-30").startswith("made snapshot 1: 2018-19-Q1 at position")
    at_head = _run("--db", database_url, "report", "--quarter", "2018-19-Q1")
    assert "829,418 offences" in at_head, "a question at the head resumed from snapshot 1"
    assert _run(*create, "2019-04-25").startswith("made snapshot 2: ")
    _run("--db", database_url, "submit", "-", input=json.dumps(
        {"command": "DefineTheme", "id": "later/theme-9", "actor": "opslog.admin",
         "data": {"number": 9, "title": "Ninth"}}) + "\n")
    assert "nothing written" in _run(*create, "2019-04-25")
    with EventStore.open(database_url) as store:
        with store.engine.connect() as connection:
            first, second = (load_snapshot(connection, 1), load_snapshot(connection, 2))
        assert first is not None and second is not None
        (restatement,) = [event.position for event in store.read_all(
            types=["IndicatorValueRecorded"]) if event.metadata.get("reported_on") == "2019-04-25"]
        q1_last = max(event.position for event in store.read_all()
                      if event.metadata.get("reported_on") == "2018-06-30")
        assert (first.info.position, second.info.position) == (q1_last, restatement)
        assert (first.info.reported_on, second.info.reported_on) == (
            date(2018, 6, 30), date(2019, 4, 25))
        assert "827,225 offences" in first.texts["markdown"]
        assert "829,418" not in first.texts["markdown"]
        assert "829,418 offences" in second.texts["markdown"]
        assert "as its sources reported it by 30 June 2018" in first.texts["markdown"]
        assert all(verdict.ok for verdict in verify_snapshots(store, [1, 2], "test"))
    listed = _run("--db", database_url, "snapshot", "list", "--format", "json")
    assert '"as_reported": "2018-06-30"' in listed
