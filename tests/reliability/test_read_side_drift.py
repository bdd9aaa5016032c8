"""The read side cannot drift silently from the log.

Read models and snapshots are derived data in writable tables. A changed facts row, or a
snapshot row inserted by hand, must never reach a report unnoticed: answers check what
they use against the log (each facts row's digest, a checkpoint's or snapshot's head hash
at its position) and fall back to folding the log, saying so on standard error; `opslog
verify` recomputes both from the log and names what differs. Broken variant: the code
before the digests, where the report printed the edited price and the fake snapshot's,
`opslog verify` exited 0 and `opslog projections status` saw nothing.
"""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from opslog.cli import main
from projections.readmodels.tables import facts
from projections.snapshots.tables import snapshots
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1

PRICE, FORGED = "price: £250 million", "price: £999 million"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


@pytest.fixture
def url(database_url: str) -> str:
    """The Q1 log, initialised."""
    writer = open_writer(database_url)
    load_q1(writer)
    writer.store.close()
    assert run(database_url, "init", "--admin", "analyst").exit_code == 0
    return database_url


def report(url: str) -> Result:
    result = run(url, "report", "--quarter", "2018-19-Q1")
    assert result.exit_code == 0, result.output
    return result


def forge_price(url: str, *, with_digest: bool) -> str:
    """Edit the asset's price in its facts row (and, as one who knows how, its digest)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        row = connection.execute(sa.select(facts).where(facts.c.type == "AssetAcquired")
                                 ).mappings().one()
        forged = dict(row, payload=row["payload"].replace("250000000", "999000000"))
        values = {"payload": forged["payload"]}
        if with_digest:
            from projections.readmodels.rows import row_digest

            values["row_digest"] = row_digest(forged)
        connection.execute(sa.update(facts).where(
            facts.c.event_id == row["event_id"], facts.c.known_from == row["known_from"])
            .values(**values))
    engine.dispose()
    return f"projection_facts row (event_id={row['event_id']}, known_from={row['known_from']})"


@pytest.mark.parametrize("with_digest", [False, True], ids=["row-only", "digest-too"])
def test_an_edited_facts_row_is_named_by_verify(url: str, with_digest: bool) -> None:
    """Verify recomputes the read models from the log: an edit shows, whatever its digest."""
    assert run(url, "projections", "catch-up").exit_code == 0
    assert PRICE in report(url).stdout
    named = forge_price(url, with_digest=with_digest)
    verified = run(url, "verify")
    assert verified.exit_code == 1, verified.output
    assert "chain intact" in verified.stdout
    assert "read models DIFFER: projection_facts: 1 of" in verified.stdout
    assert named in verified.stdout and "payload differs" in verified.stdout


def test_an_edited_facts_row_never_reaches_a_report(url: str) -> None:
    """The row fails its digest where it is read: the report comes from the log and says
    why; `projections status` names the row and exits non-zero."""
    assert run(url, "projections", "catch-up").exit_code == 0
    forge_price(url, with_digest=False)
    result = report(url)
    assert PRICE in result.stdout and FORGED not in result.stdout
    assert "projection_facts row (generation 1, event" in result.stderr
    assert "answering from the log" in result.stderr
    status = run(url, "projections", "status")
    assert status.exit_code == 1
    assert "DRIFTED: projection_facts row" in status.stderr


def test_a_checkpoint_from_another_log_is_not_used(url: str) -> None:
    """A checkpoint whose head hash is not the log's at its position: read models unused."""
    assert run(url, "projections", "catch-up").exit_code == 0
    forge_price(url, with_digest=True)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE projection_checkpoints SET head_hash = 'f'")
    engine.dispose()
    result = report(url)
    assert PRICE in result.stdout and FORGED not in result.stdout
    assert "records head hash f, but the log has" in result.stderr
    assert run(url, "projections", "status").exit_code == 1
    assert run(url, "verify").exit_code == 1


def insert_fake_snapshot(url: str) -> int:
    """Copy the quarter's snapshot to the head's position with a forged price (its
    content hashes made to match, its head hash copied)."""
    made = run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--actor", "analyst")
    assert made.exit_code == 0, made.output
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        row = dict(connection.execute(sa.select(snapshots)).mappings().one())
        head = connection.exec_driver_sql("SELECT max(position) FROM events").scalar()
        assert head > row["cutoff_position"]
        for stem in ("board_state", "narrative_state", "markdown", "html"):
            row[stem] = row[stem].replace("250000000", "999000000").replace(
                "£250 million", "£999 million")
            row[f"{stem}_sha256"] = hashlib.sha256(row[stem].encode()).hexdigest()
        row.pop("id")
        row["cutoff_position"] = head
        fake = connection.execute(sa.insert(snapshots).values(row).returning(snapshots.c.id)
                                  ).scalar_one()
    engine.dispose()
    return int(fake)


def test_a_fake_snapshot_is_not_used_and_verify_names_it(url: str) -> None:
    """Its head hash is not the log's at its position: a question that would start from it
    (the read models are unbound from the log, so the nearest snapshot is next) folds the
    log instead, says why, and verify names the snapshot."""
    fake = insert_fake_snapshot(url)
    assert run(url, "projections", "catch-up").exit_code == 0
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE projection_checkpoints SET head_hash = 'f'")
    engine.dispose()
    result = report(url)
    assert PRICE in result.stdout and FORGED not in result.stdout
    assert f"snapshot {fake} at position" in result.stderr
    verified = run(url, "verify")
    assert verified.exit_code == 1, verified.output
    assert "snapshots: 2 recomputed from the log, 1 DIFFER" in verified.stdout
    assert f"snapshot {fake} (2018-19-Q1, position" in verified.stdout
