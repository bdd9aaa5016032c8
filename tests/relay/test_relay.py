"""The relay on a real NATS server: sequence = position, exactly once, resumable."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import nats
import pytest
from click.testing import CliRunner
from nats.js import api as js_api

from eventstore import EventStore, NewEvent
from eventstore.leases import Lease, LeaseHeld
from opslog.cli import main
from relay import NatsRelay, RelayError, RelaySettings, StreamMismatch
from relay.streams import covers
from tests.relay.conftest import delete_stream, prefix_for
from tests.relay.streams import last_sequence, stream_contents


def _append(store: EventStore, count: int, stream: str = "thing-a") -> None:
    for index in range(count):
        store.append(stream, [NewEvent("Ticked", {"n": index}),
                              NewEvent("Tocked.v2", {"n": index})])


def _relay(store: EventStore, url: str, stream: str) -> NatsRelay:
    relay = NatsRelay(store, RelaySettings(url=url, stream=stream,
                                           subject_prefix=prefix_for(stream)))
    asyncio.run(relay.run(until_idle=True))
    return relay


def test_the_stream_sequence_is_the_log_position(store: EventStore, nats_url: str,
                                                  stream_name: str) -> None:
    _append(store, 30)
    relay = _relay(store, nats_url, stream_name)
    stored = stream_contents(nats_url, stream_name)
    log = list(store.read_all())
    assert relay.published == len(log) == 60
    assert [s.sequence for s in stored] == [e.position for e in log]
    assert [s.msg_id for s in stored] == [str(e.event_id) for e in log]
    assert [s.expected_last for s in stored] == [str(e.position - 1) for e in log]
    assert [s.event for s in stored] == log
    prefix = prefix_for(stream_name)
    assert {s.subject for s in stored} == {f"{prefix}.thing.Ticked", f"{prefix}.thing.Tocked_v2"}


def test_a_restart_resumes_after_the_last_sequence_even_past_the_duplicate_window(
        store: EventStore, nats_url: str, stream_name: str) -> None:
    async def make_stream() -> None:
        connection = await nats.connect(nats_url)
        await connection.jetstream().add_stream(js_api.StreamConfig(
            name=stream_name, subjects=[f"{prefix_for(stream_name)}.>"], duplicate_window=0.5))
        await connection.close()

    asyncio.run(make_stream())
    _append(store, 5)
    assert _relay(store, nats_url, stream_name).published == 10
    time.sleep(1.0)  # the server forgets the message ids it has seen
    assert _relay(store, nats_url, stream_name).published == 0
    _append(store, 3)
    assert _relay(store, nats_url, stream_name).published == 6
    stored = stream_contents(nats_url, stream_name)
    assert [s.sequence for s in stored] == list(range(1, 17))
    assert [s.event for s in stored] == list(store.read_all())


def test_a_stream_of_another_log_is_refused(store: EventStore, database_url: str,
                                             nats_url: str, stream_name: str,
                                             tmp_path: Path) -> None:
    _append(store, 2)
    _relay(store, nats_url, stream_name)
    other = EventStore.open(f"sqlite:///{tmp_path}/other.db", create=True)
    try:
        _append(other, 3)
        with pytest.raises(RelayError, match="sequence 4 is event"):
            _relay(other, nats_url, stream_name)
        empty = EventStore.open(f"sqlite:///{tmp_path}/empty.db", create=True)
        with pytest.raises(RelayError, match="log ends at position 0"):
            _relay(empty, nats_url, stream_name)
        empty.close()
    finally:
        other.close()
    assert len(stream_contents(nats_url, stream_name)) == 4


def test_one_relay_per_database(store: EventStore, nats_url: str, stream_name: str) -> None:
    settings = RelaySettings(url=nats_url, stream=stream_name,
                             subject_prefix=prefix_for(stream_name))
    with Lease(store.engine, settings.lease_name, "someone-else"), \
            pytest.raises(LeaseHeld, match="someone-else"):
        asyncio.run(NatsRelay(store, settings).run(until_idle=True))


def test_the_cli_refuses_another_relay_bad_names_and_an_absent_server(
        store: EventStore, database_url: str, nats_url: str, stream_name: str) -> None:
    from opslog.database import initialise

    initialise(store)
    runner = CliRunner()
    bad = runner.invoke(main, ["--db", database_url, "relay", "nats", "--stream", "A.B"])
    assert bad.exit_code == 1 and "--stream: 'A.B' is not a stream name" in bad.output
    bad = runner.invoke(main, ["--db", database_url, "relay", "nats",
                               "--subject-prefix", "a.>"])
    assert bad.exit_code == 1 and "--subject-prefix" in bad.output
    absent = runner.invoke(main, ["--db", database_url, "relay", "nats", "--stream",
                                  stream_name, "--subject-prefix", prefix_for(stream_name),
                                  "--url", "nats://127.0.0.1:1"])
    assert absent.exit_code == 1 and "--url: cannot reach NATS" in absent.output
    assert "Traceback" not in absent.output
    with Lease(store.engine, RelaySettings(stream=stream_name).lease_name, "relay@elsewhere"):
        held = runner.invoke(main, ["--db", database_url, "relay", "nats", "--stream",
                                    stream_name, "--subject-prefix", prefix_for(stream_name),
                                    "--url", nats_url])
    assert held.exit_code == 1 and "another relay runs on this database" in held.output
    assert "relay@elsewhere" in held.output


def test_an_unknown_stream_is_created_and_guarded(store: EventStore, nats_url: str,
                                                  stream_name: str,
                                                  subject_prefix: str) -> None:
    _append(store, 1)
    _relay(store, nats_url, stream_name)

    async def config() -> js_api.StreamConfig:
        connection = await nats.connect(nats_url)
        info = await connection.jetstream().stream_info(stream_name)
        await connection.close()
        return info.config

    found = asyncio.run(config())
    assert found.subjects == [f"{subject_prefix}.>"] and found.deny_delete and found.deny_purge
    assert uuid.UUID(stream_contents(nats_url, stream_name)[0].msg_id or "")


def test_a_prefix_another_stream_takes_is_refused_naming_that_stream(
        store: EventStore, database_url: str, nats_url: str, stream_name: str,
        subject_prefix: str) -> None:
    """A shared server: a stream of someone else's already takes the prefix's subjects."""
    from opslog.database import initialise

    initialise(store)
    _append(store, 1)
    _relay(store, nats_url, stream_name)
    other = f"{stream_name}B"
    try:
        with pytest.raises(StreamMismatch, match=f"overlaps the subjects of stream {stream_name}"):
            asyncio.run(NatsRelay(store, RelaySettings(
                url=nats_url, stream=other, subject_prefix=subject_prefix)).run(until_idle=True))
        refused = CliRunner().invoke(main, ["--db", database_url, "relay", "nats", "--url",
                                            nats_url, "--stream", other, "--subject-prefix",
                                            subject_prefix])
        assert refused.exit_code == 1, refused.output
        assert "--subject-prefix:" in refused.output and stream_name in refused.output
        assert "cannot reach" not in refused.output and "Traceback" not in refused.output
        assert last_sequence(nats_url, other) == 0
    finally:
        asyncio.run(delete_stream(nats_url, other))


def test_a_stream_that_does_not_take_the_prefix_is_refused(
        store: EventStore, nats_url: str, stream_name: str, subject_prefix: str) -> None:
    _append(store, 1)
    _relay(store, nats_url, stream_name)
    with pytest.raises(StreamMismatch, match=f"stream {stream_name} takes {subject_prefix}.>"):
        asyncio.run(NatsRelay(store, RelaySettings(
            url=nats_url, stream=stream_name, subject_prefix=f"{subject_prefix}x"))
                    .run(until_idle=True))
    assert last_sequence(nats_url, stream_name) == 2


@pytest.mark.parametrize(("pattern", "subject", "expected"), [
    (">", "opslog.>", True), ("opslog.>", "opslog.>", True), ("*.>", "opslog.>", True),
    ("opslog.mps.>", "opslog.>", False), ("opslog.*", "opslog.>", False),
    ("opslog.>", "opslog.mps.>", True), ("other.>", "opslog.>", False),
    ("opslog", "opslog.>", False), ("opslog.*.>", "opslog.mps.>", True),
])
def test_which_subject_filters_take_the_relays_subjects(pattern: str, subject: str,
                                                         expected: bool) -> None:
    assert covers(pattern, subject) is expected
