"""`sealing.seal` builds its texts by hand for speed: they must be exactly what the
documented recipe (`canonical.payload_digests`, canonical JSON) gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstore.canonical import canonical_json, field_digest, payload_digests
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


def _documented_problem(data_json: str, digests_json: str, salts_json: str) -> str | None:
    """`sealed_problem` written straight from the recipe: whole-text canonical checks, then
    `canonical.disclosure` for each salted field."""
    try:
        data, digests, salts = (json.loads(text) for text in (data_json, digests_json,
                                                              salts_json))
    except ValueError:
        return "not JSON"
    if not all(isinstance(part, dict) for part in (data, digests, salts)):
        return "not objects"
    try:
        if canonical_json(data) != data_json:
            return "payload"
    except ValueError:
        return "payload"
    try:
        if canonical_json(digests) != digests_json or canonical_json(salts) != salts_json:
            return "digests"
    except ValueError:
        return "digests"
    if data.keys() != digests.keys():
        return "fields"
    if not salts.keys() <= digests.keys():
        return "salt names"
    for name, salt in salts.items():
        if not isinstance(salt, str):
            return "salt type"
        if field_digest(salt, name, data[name]) != digests[name]:
            return "digest"
    return None


_WORDS = {
    "not JSON": "not JSON", "not objects": "not JSON objects",
    "payload": "the payload is not stored", "digests": "digests or salts are not stored",
    "fields": "the payload's fields are not", "salt names": "a salt names a field",
    "salt type": "is not text", "digest": "does not match its digest",
}

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(payload=st.dictionaries(st.text(max_size=6), _json, max_size=6), data=st.data())
def test_the_check_finds_what_the_documented_recipe_finds(payload: dict[str, Any],
                                                         data: st.DataObject) -> None:
    """Sealed texts, then one tampering drawn at random: the same verdict either way."""
    texts = [canonical_json(payload), *seal(canonical_json(payload))]
    which = data.draw(st.integers(0, 2))
    tamper = data.draw(st.sampled_from(["none", "value", "spaces", "reorder", "drop",
                                        "add", "nan", "duplicate", "type"]))
    parsed = json.loads(texts[which])
    if tamper == "value" and parsed:
        name = data.draw(st.sampled_from(sorted(parsed)))
        parsed[name] = data.draw(_json)
        texts[which] = canonical_json(parsed)
    elif tamper == "spaces":
        texts[which] = json.dumps(parsed, sort_keys=True, ensure_ascii=False)
    elif tamper == "reorder" and len(parsed) > 1:
        texts[which] = json.dumps(dict(reversed(list(parsed.items()))), ensure_ascii=False,
                                  separators=(",", ":"))
    elif tamper == "drop" and parsed:
        parsed.pop(data.draw(st.sampled_from(sorted(parsed))))
        texts[which] = canonical_json(parsed)
    elif tamper == "add":
        parsed[data.draw(st.text(max_size=3))] = data.draw(_json)
        texts[which] = canonical_json(parsed)
    elif tamper == "nan" and parsed:
        texts[which] = texts[which][:-1] + ',"~":NaN}' if texts[which] != "{}" else '{"~":NaN}'
    elif tamper == "duplicate" and parsed:
        name, value = next(iter(parsed.items()))
        member = canonical_json({name: value})[1:-1]
        texts[which] = texts[which][:-1] + f",{member}}}"
    elif tamper == "type":
        texts[which] = "[]"
    expected = _documented_problem(*texts)
    found = sealed_problem(*texts)
    if expected is None:
        assert found is None
    else:
        assert found is not None and _WORDS[expected] in found, (expected, found)
