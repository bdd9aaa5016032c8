"""Erasing a value of an envelope 2 event: the text and its salt are gone for good, while
the chain, the tree, every checkpoint and new exports still verify, and the database's
triggers allow that one change and no other."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from eventstore import Erase, EventStore, InvalidEvent, NewEvent
from eventstore.canonical import disclosure, field_digest
from eventstore.checkpoints import check_against, make_checkpoint
from eventstore.export import export_log, verify_export
from eventstore.importer import import_log
from eventstore.sealing import erased_fields
from eventstore.transparency.merkle import verify_consistency
from eventstore.transparency.note import Signer
from eventstore.tree import check_tree, consistency_between, forget_cached_borders

ORIGIN = "opslog.example/erasure-test"
KEY = Signer.from_seed(ORIGIN, bytes(range(32)))
NAME = "Constable Quentin Zephyrwood"
NARRATIVE = f"In May the BCU went live; {NAME} of Kingston briefed the borough."
PLACEHOLDER = "[erased]"


def fill(store: EventStore) -> None:
    for n in range(6):
        store.append(f"update-{n}", [NewEvent("Reported", {
            "n": n, "narrative": NARRATIVE if n == 2 else f"update {n}", "unit": "bcu-sw"})])


@pytest.fixture
def filled(store: EventStore) -> Iterator[EventStore]:
    forget_cached_borders()
    fill(store)
    yield store
    forget_cached_borders()


def erase(store: EventStore, *targets: Erase) -> int:
    result = store.erase(list(targets), "erasure-1",
                         NewEvent("Erased", {"reason": "a name recorded by mistake"}))
    return result.last_position


def event_at(store: EventStore, position: int) -> object:
    return next(iter(store.read_all(from_position=position, limit=1)))


def raw_row(store: EventStore, position: int) -> dict[str, object]:
    with store.engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT * FROM events WHERE position = :p"), {"p": position}).one()
    return dict(row._mapping)


@pytest.fixture
def second_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database on the same backend (an import's target)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'copy.db'}"
        return
    url = sa.engine.make_url(database_url)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(url.set(query={}))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield url.set(query={"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def test_erasing_a_name_keeps_the_chain_tree_checkpoints_and_exports_verifying(
        filled: EventStore, second_url: str) -> None:
    old = make_checkpoint(filled.engine, KEY, ORIGIN)
    before = raw_row(filled, 3)
    erasure_position = erase(filled, Erase(3, "narrative", PLACEHOLDER))
    filled.append("update-9", [NewEvent("Reported", {"n": 9, "narrative": "later"})])
    new = make_checkpoint(filled.engine, KEY, ORIGIN)

    after = raw_row(filled, 3)
    assert NAME not in str(after["data"]) and NAME in str(before["data"])
    assert json.loads(str(after["data"]))["narrative"] == PLACEHOLDER
    assert after["digests"] == before["digests"] and after["hash"] == before["hash"]
    assert "narrative" in json.loads(str(before["salts"]))
    assert set(json.loads(str(after["salts"]))) == {"n", "unit"}
    assert erased_fields(str(after["digests"]), str(after["salts"])) == ["narrative"]
    erasure = event_at(filled, erasure_position)
    assert erasure.metadata["erases"] == [[3, "narrative"]]  # type: ignore[attr-defined]

    report = filled.verify()
    assert report.ok, report
    with filled.engine.connect() as connection:
        assert check_tree(connection, new.size) is None
        # the checkpoint taken before the erasure still holds, and the log extends it
        check_against(connection, old.note, KEY.verifier())
        proof = consistency_between(connection, old.size, new.size)
    verify_consistency(old.size, new.size, old.root, new.root, proof)

    exported = io.BytesIO()
    export_log(filled, exported)
    content = exported.getvalue()
    assert NAME.encode() not in content
    assert verify_export(io.BytesIO(content)).ok
    with EventStore.open(second_url, create=True) as copy:
        import_log(copy, io.BytesIO(content))
        assert copy.verify().ok
        with copy.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT target_position, field, erasure_position FROM erasures")).all()
            assert [tuple(row) for row in rows] == [(3, "narrative", erasure_position)]
            assert check_against(connection, new.note, KEY.verifier()).size == new.size


def test_a_guess_at_the_erased_value_confirms_nothing(filled: EventStore) -> None:
    before = raw_row(filled, 3)
    salt = json.loads(str(before["salts"]))["narrative"]
    digest = json.loads(str(before["digests"]))["narrative"]
    assert field_digest(salt, "narrative", NARRATIVE) == digest  # with the salt: confirmed
    erase(filled, Erase(3, "narrative", PLACEHOLDER))
    after = raw_row(filled, 3)
    # What remains: the digest, the other fields' salts, every other event's salts.
    remaining_salts = [s for row in range(1, 8) for s in
                       json.loads(str(raw_row(filled, row)["salts"])).values()]
    assert salt not in remaining_salts
    guesses = [NARRATIVE, NAME, "", PLACEHOLDER]
    for guess in guesses:
        candidates = {hashlib.sha256(guess.encode()).hexdigest(),
                      hashlib.sha256(disclosure("", "narrative", guess).encode()).hexdigest(),
                      *(field_digest(other, "narrative", guess) for other in remaining_salts)}
        assert json.loads(str(after["digests"]))["narrative"] not in candidates


def database_bytes(store: EventStore) -> bytes:
    """The stored bytes of the events table, after the database reclaimed dead rows."""
    if store.dialect == "sqlite":
        path = Path(str(store.engine.url.database))
        store.engine.dispose()
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM FULL events")
        connection.exec_driver_sql("CHECKPOINT")
        files = connection.exec_driver_sql(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid = 'events'::regclass "
            "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'events'::regclass) "
            "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'events'::regclass)"
        ).scalars().all()
        assert len(files) >= 3
        return b"".join(
            connection.exec_driver_sql("SELECT pg_read_binary_file(%s)", (path,)).scalar()
            for path in files if path is not None)


def test_the_text_and_its_salt_are_gone_from_the_database_files(filled: EventStore) -> None:
    salt = json.loads(str(raw_row(filled, 3)["salts"]))["narrative"]
    stored = database_bytes(filled)
    assert NAME.encode() in stored and salt.encode() in stored  # the check can see them
    erase(filled, Erase(3, "narrative", PLACEHOLDER))
    stored = database_bytes(filled)
    # PostgreSQL keeps a dead row while any open transaction on the server may still see
    # it (another session's snapshot): VACUUM FULL again once those have moved on.
    for _ in range(40):
        if NAME.encode() not in stored and salt.encode() not in stored:
            break
        time.sleep(0.25)
        stored = database_bytes(filled)
    assert NAME.encode() not in stored
    assert salt.encode() not in stored
    assert filled.verify().ok


@pytest.mark.parametrize(("target", "field", "reason"), [
    (Erase(99, "narrative"), "targets[0].position", "no event at position 99"),
    (Erase(3, "narative"), "targets[0].field", "has no field 'narative'"),
    (Erase(0, "narrative"), "targets[0].position", "from 1"),
])
def test_a_bad_target_is_refused_naming_it_and_nothing_is_written(
        filled: EventStore, target: Erase, field: str, reason: str) -> None:
    head = filled.head()
    with pytest.raises(InvalidEvent) as refused:
        erase(filled, target)
    assert refused.value.field == field and reason in str(refused.value)
    assert filled.head() == head
    with filled.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM erasures")).scalar() == 0


def test_erasing_twice_is_refused(filled: EventStore) -> None:
    erase(filled, Erase(3, "narrative", PLACEHOLDER))
    head = filled.head()
    with pytest.raises(InvalidEvent, match="already erased") as refused:
        erase(filled, Erase(3, "narrative", PLACEHOLDER))
    assert refused.value.field == "targets[0].field"
    assert filled.head() == head


def refused(store: EventStore, statement: str) -> None:
    with (pytest.raises(sa_exc.DBAPIError, match=r"append-only|only the erased|only the newest"),
          store.engine.begin() as connection):
        connection.exec_driver_sql(statement)


def test_the_database_allows_the_erasure_and_nothing_else(filled: EventStore) -> None:
    erase(filled, Erase(3, "narrative", PLACEHOLDER))
    snapshot = [raw_row(filled, position) for position in range(1, 8)]
    # another column of the erased event, another field of it, another event
    refused(filled, "UPDATE events SET type = 'Other' WHERE position = 3")
    refused(filled, "UPDATE events SET data = replace(data, 'bcu-sw', 'bcu-x') "
                    "WHERE position = 3")
    refused(filled, "UPDATE events SET data = replace(data, 'update 1', 'x') "
                    "WHERE position = 2")
    refused(filled, "UPDATE events SET digests = '{}' WHERE position = 3")
    # an erasure row not named by the newest event opens nothing
    refused(filled, "INSERT INTO erasures (target_position, field, erasure_position) "
                    "VALUES (2, 'narrative', 7)")
    refused(filled, "DELETE FROM erasures")
    assert [raw_row(filled, position) for position in range(1, 8)] == snapshot
    assert filled.verify().ok
