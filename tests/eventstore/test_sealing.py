"""`sealing.seal` builds its texts by hand for speed: they must be exactly what the
documented recipe (`canonical.payload_digests`, canonical JSON) gives."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventstore.canonical import canonical_json, payload_digests
from eventstore.sealing import seal, sealed_problem

PAYLOADS: list[dict[str, Any]] = [
    {},
    {"n": 1},
    {"narrative": "In May, the BCU South West went live.", "cost": "£250m", "ratio": 0.064,
     "big": 10**30, "neg": -0.5, "none": None, "yes": True, "no": False},
    {"quote\"d": 'a "quoted" \\ back\nslash\ttab\u0001', "é": "ü 🚓 \u2028 \ud7ff"},
    {"nested": {"z": [1, {"b": 2, "a": [None, "x"]}], "a": {}}, "list": ["Kingston", "Merton"]},
    {"Zeta": 1, "alpha": 2, "Alpha": 3, "_": 4, "10": 5, "9": 6},
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_seal_matches_the_documented_recipe(payload: dict[str, Any]) -> None:
    data_json = canonical_json(payload)
    digests_json, salts_json = seal(data_json)
    salts = json.loads(salts_json)
    assert salts_json == canonical_json(salts)
    assert set(salts) == set(payload)
    assert all(len(salt) == 32 and int(salt, 16) >= 0 for salt in salts.values())
    assert digests_json == canonical_json(payload_digests(payload, salts))
    assert sealed_problem(data_json, digests_json, salts_json) is None


def test_every_field_and_every_event_gets_a_fresh_salt() -> None:
    data_json = canonical_json({"a": "same", "b": "same", "c": "same"})
    drawn = [salt for _ in range(50) for salt in json.loads(seal(data_json)[1]).values()]
    assert len(set(drawn)) == len(drawn)
