"""The catalogue's fast load path gives marshmallow's answers, faster."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from marshmallow import EXCLUDE, ValidationError

from catalogue import CATALOGUE, UnknownEventType, decode, encode
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1


def _slow(type_name: str, payload: dict[str, Any]) -> Any:
    return CATALOGUE[type_name].schema.load(dict(payload), unknown=EXCLUDE)


@pytest.fixture(scope="module")
def q1_payloads(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    """Every payload of the Q1-like log, as stored."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fast') / 'q1.db'}"
    writer = open_writer(url)
    load_q1(writer)
    try:
        return [(event.type, event.data) for event in writer.store.read_all()]
    finally:
        writer.store.close()


def test_every_stored_payload_loads_to_the_same_event(
        q1_payloads: list[tuple[str, dict[str, Any]]]) -> None:
    """Each payload of a realistic log decodes to exactly what marshmallow builds."""
    for type_name, payload in q1_payloads:
        fast = CATALOGUE[type_name].fast_load
        assert fast is not None, type_name
        loaded = fast(payload)
        assert loaded is not None, type_name
        assert loaded == _slow(type_name, payload)
        assert encode(loaded) == encode(_slow(type_name, payload))


def test_the_fast_path_does_not_change_the_stored_payload(
        q1_payloads: list[tuple[str, dict[str, Any]]]) -> None:
    """Loading leaves the payload it read exactly as it was."""
    for type_name, payload in q1_payloads:
        before = copy.deepcopy(payload)
        decode(type_name, CATALOGUE[type_name].event_class.schema_version, payload)
        assert payload == before


BROKEN = [
    ("MilestoneProgressReported", "status", "Finished!"),
    ("MilestoneProgressReported", "quarter", "2018-Q5"),
    ("MilestoneProgressReported", "as_of", "30/06/2018"),
    ("MilestoneProgressReported", "milestone_id", "Not An Id"),
    ("MilestoneProgressReported", "narrative", 12),
    ("IndicatorValueRecorded", "value", "NaN"),
    ("IndicatorValueRecorded", "value", "-5"),
    ("IndicatorValueRecorded", "period", "last year"),
    ("TaskforceFormed", "officers", -1),
    ("TaskforceFormed", "officers", True),
    ("TaskforceFormed", "facts", [{"name": "x", "kind": "count", "value": "many"}]),
    ("TaskforceFormed", "facts", [{"name": "x", "kind": "count", "value": 1, "extra": 1}]),
    ("AssetAcquired", "price", 12.5),
    ("UnitWentLive", "boroughs", []),
    ("QuarterOverviewWritten", "paragraphs", [{"text": "t", "figures": [{"indicator_id": "x"}]}]),
]


@pytest.mark.parametrize(("type_name", "field", "bad"), BROKEN)
def test_a_broken_payload_fails_as_marshmallow_fails(
        q1_payloads: list[tuple[str, dict[str, Any]]], type_name: str, field: str,
        bad: object) -> None:
    """A payload marshmallow refuses is refused with marshmallow's own message, which
    names the field that was broken and nothing else."""
    payload = dict(next(data for name, data in q1_payloads if name == type_name))
    payload[field] = bad
    version = CATALOGUE[type_name].event_class.schema_version
    with pytest.raises(UnknownEventType) as raised:
        decode(type_name, version, payload)
    with pytest.raises(ValidationError) as expected:
        _slow(type_name, payload)
    messages = expected.value.messages
    assert isinstance(messages, dict) and list(messages) == [field], messages
    assert str(raised.value) == f"{type_name} payload does not load: {messages}"


def test_a_missing_required_field_is_refused(
        q1_payloads: list[tuple[str, dict[str, Any]]]) -> None:
    """Dropping a required field fails on either path, never loads half an event."""
    payload = dict(next(data for name, data in q1_payloads if name == "MilestoneScheduled"))
    del payload["title"]
    with pytest.raises(UnknownEventType, match="title"):
        decode("MilestoneScheduled", 1, payload)


def test_unknown_top_level_keys_are_ignored_as_before(
        q1_payloads: list[tuple[str, dict[str, Any]]]) -> None:
    """Extra keys at the top of a stored payload are left out, as marshmallow's EXCLUDE does."""
    payload = dict(next(data for name, data in q1_payloads if name == "ThemeDefined"))
    payload["later_field"] = "x"
    assert decode("ThemeDefined", 1, payload) == _slow("ThemeDefined", payload)
