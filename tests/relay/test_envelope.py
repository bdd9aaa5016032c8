"""The message body: the whole envelope, back as the same event; bad bodies named."""

from __future__ import annotations

import json

import pytest

from eventstore import EventStore, NewEvent
from relay import decode, encode, subject_for


def test_an_event_survives_the_message_byte_for_byte(store: EventStore) -> None:
    store.append("unit.x-a", [NewEvent("Odd Type*>", {"x": "é", "n": 1e16},
                                       metadata={"actor": "a"})])
    event = next(iter(store.read_all()))
    assert decode(encode(event)) == event
    assert subject_for("opslog.mps", event) == "opslog.mps.unit_x.Odd_Type__"


@pytest.mark.parametrize(("body", "reason"), [
    (b"{}", "field 'position' is missing"),
    (b"not json", "not an event envelope"),
    (json.dumps({"position": "x"}).encode(), "not an event envelope"),
])
def test_a_body_that_is_not_an_envelope_is_named(body: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode(body)
