"""A witness holding an earlier checkpoint catches each rewrite of history by the database
owner — who holds the signing key too, and re-chains and rebuilds the tree so that the
chain and the tree alone still verify."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from eventstore import EventStore, NewEvent
from eventstore.checkpoints import StoredCheckpoint, check_against, make_checkpoint
from eventstore.transparency.errors import CheckpointError, ProofError
from eventstore.transparency.merkle import verify_consistency
from eventstore.transparency.note import Signer
from eventstore.transparency.witness import WitnessRefused, cosign
from eventstore.tree import consistency_between, forget_cached_borders
from tests.eventstore.tampering import drop_immutability, rewrite_history

ORIGIN = "opslog.example/witness-test"
LOG_KEY = Signer.from_seed(ORIGIN, bytes(range(32)))
WITNESS_KEY = Signer.from_seed("audit.example/witness", bytes(range(32, 64)))
SIZE = 12


def grow(store: EventStore, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        store.append(f"unit-{n % 3}", [NewEvent("Reported", {"n": n, "price": "£250m"})])


@pytest.fixture
def log(store: EventStore) -> Iterator[EventStore]:
    forget_cached_borders()
    grow(store, SIZE)
    yield store
    forget_cached_borders()


def checkpoint(store: EventStore) -> StoredCheckpoint:
    return make_checkpoint(store.engine, LOG_KEY, ORIGIN)


def witness_sees(store: EventStore, kept: str) -> str:
    """The witness's step: the log's new checkpoint and a proof from the kept size."""
    new = checkpoint(store)
    old_size = int(kept.split("\n")[1])
    proof = None
    if 0 < old_size <= new.size:
        with store.engine.connect() as connection:
            proof = consistency_between(connection, old_size, new.size)
    return cosign(kept, new.note, proof, LOG_KEY.verifier(), WITNESS_KEY)


@pytest.fixture
def kept(log: EventStore) -> str:
    """The checkpoint the witness cosigned at SIZE events, before any attack."""
    return cosign(None, checkpoint(log).note, None, LOG_KEY.verifier(), WITNESS_KEY)


def assert_caught(store: EventStore, kept: str, why: str) -> None:
    assert store.verify().ok, "the attack must leave a log whose chain and tree verify"
    with pytest.raises(WitnessRefused, match=why) as refused:
        witness_sees(store, kept)
    assert f"size {SIZE}" in str(refused.value)
    with store.engine.connect() as connection, pytest.raises(CheckpointError):
        check_against(connection, kept, LOG_KEY.verifier())


def test_an_honest_log_that_grew_is_cosigned(log: EventStore, kept: str) -> None:
    grow(log, 7, SIZE)
    cosigned = witness_sees(log, kept)
    assert f"\n{SIZE + 7}\n" in cosigned
    assert "audit.example/witness" in cosigned
    with log.engine.connect() as connection:
        assert check_against(connection, kept, LOG_KEY.verifier()).size == SIZE


def test_an_event_inserted_with_a_valid_chain_is_caught(log: EventStore, kept: str) -> None:
    drop_immutability(log.engine)

    def insert(rows: list[dict[str, Any]]) -> None:
        forged = dict(rows[4], event_id=str(uuid.uuid4()), stream_id="unit-forged",
                      version=1, data=json.dumps({"n": -1}))
        rows.insert(5, forged)

    rewrite_history(log.engine, insert)
    assert_caught(log, kept, "not consistent")


def test_rewrite_and_rechain_is_caught(log: EventStore, kept: str) -> None:
    drop_immutability(log.engine)

    def reprice(rows: list[dict[str, Any]]) -> None:
        rows[3]["data"] = rows[3]["data"].replace("£250m", "£25m")

    rewrite_history(log.engine, reprice)
    grow(log, 3, SIZE)  # and goes on appending, as if nothing happened
    assert_caught(log, kept, "not consistent")


def test_truncating_the_tail_is_caught(log: EventStore, kept: str) -> None:
    drop_immutability(log.engine)
    rewrite_history(log.engine, lambda rows: rows.__delitem__(slice(SIZE - 2, None)))
    assert_caught(log, kept, "smaller than the one cosigned")


def test_truncating_and_regrowing_to_a_larger_size_is_caught(
        log: EventStore, kept: str) -> None:
    drop_immutability(log.engine)
    rewrite_history(log.engine, lambda rows: rows.__delitem__(slice(SIZE - 2, None)))
    grow(log, 5, 100)
    assert_caught(log, kept, "not consistent")


def test_a_fork_served_to_two_parties_is_caught(log: EventStore, kept: str) -> None:
    """The owner shows party A one history and party B another of the same size. Each is
    consistent with the checkpoint both once held, so each alone cosigns; the fork shows
    when either sees the other's checkpoint (here: a witness that cosigned A's view)."""
    grow(log, 4, SIZE)
    party_a = witness_sees(log, kept)
    drop_immutability(log.engine)

    def fork(rows: list[dict[str, Any]]) -> None:
        rows[SIZE + 1]["data"] = json.dumps({"n": 999})

    rewrite_history(log.engine, fork)
    party_b = witness_sees(log, kept)  # B only held the older checkpoint: consistent
    size = SIZE + 4
    a_root, b_root = (note.split("\n")[2] for note in (party_a, party_b))
    assert a_root != b_root
    with pytest.raises(WitnessRefused, match="the log forked") as refused:
        witness_sees(log, party_a)
    assert f"size {size}" in str(refused.value)
    with pytest.raises(ProofError, match="forked"):
        verify_consistency(size, size, base64.b64decode(a_root), base64.b64decode(b_root), [])
