"""Sealing a payload for envelope 2, and checking a sealed payload against its digests.

Each top-level payload field gets its own 128-bit salt and the SHA-256 of its disclosure
``[salt, name, value]`` (`canonical.field_digest`, as SD-JWT does); the event hash commits
to the digests, never to the text. Erasing a field removes its value and its salt and
keeps its digest: the chain still verifies, and without the salt a guess at the value
cannot be confirmed against the digest.

Sealing sits on the append path, so it costs one `os.urandom` call per event (cut into
the salts), one SHA-256 per field and no JSON encoding beyond each value's.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any

from eventstore.canonical import SALT_BYTES

_encode_value = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
"""A value's canonical JSON, as `canonical.disclosure` writes it inside the array."""
_encode_text: Callable[[str], str] = json.encoder.encode_basestring
"""A string's canonical JSON (no ASCII escaping): the C function `json` itself uses."""
HEX_SALT = 2 * SALT_BYTES


def seal(data_json: str) -> tuple[str, str]:
    """The canonical JSON texts of a payload's field digests and of their fresh salts.

    Each salt is 128 random bits as 32 lowercase hex digits, cut from one `os.urandom`
    draw per event. Each disclosure is put together from JSON pieces exactly as
    `canonical.disclosure` encodes ``[salt, name, value]``, and both objects are written
    in the payload's own key order, which canonical JSON has already sorted.
    """
    data: dict[str, Any] = json.loads(data_json)
    if not data:
        return "{}", "{}"
    randomness = os.urandom(SALT_BYTES * len(data)).hex()
    sha256 = hashlib.sha256
    text = _encode_text
    encode = _encode_value
    digests: list[str] = []
    salts: list[str] = []
    start = 0
    for name, value in data.items():
        salt = randomness[start:start + HEX_SALT]
        start += HEX_SALT
        key = text(name)
        value_json = text(value) if type(value) is str else encode(value)
        digest = sha256(f'["{salt}",{key},{value_json}]'.encode()).hexdigest()
        digests.append(f'{key}:"{digest}"')
        salts.append(f'{key}:"{salt}"')
    return "{" + ",".join(digests) + "}", "{" + ",".join(salts) + "}"


def sealed_problem(data_json: str, digests_json: str | None,
                   salts_json: str | None) -> str | None:
    """Why a v2 payload does not match its digests, or None when it does.

    The stored texts must be canonical JSON, as written. A field without a salt is erased:
    its stored value is not checked, and its kept
    digest stands for it (the hash covers the digests). Every other field's digest is
    recomputed from its stored value and salt.

    `verify` runs this on every event, so each value is encoded once: its canonical JSON
    both rebuilds the payload's text (to compare with the stored one) and goes into its
    disclosure, put together as `seal` does.
    """
    if digests_json is None or salts_json is None:
        return "an envelope 2 event without digests or salts"
    try:
        data = json.loads(data_json)
        digests = json.loads(digests_json)
        salts = json.loads(salts_json)
    except (ValueError, RecursionError):
        return "digests or salts are not JSON"
    if not (isinstance(data, dict) and isinstance(digests, dict) and isinstance(salts, dict)):
        return "digests or salts are not JSON objects"
    values = _canonical_members(data)
    if values is None or _object_text(values) != data_json:
        return "the payload is not stored as canonical JSON (it was altered)"
    digest_texts, salt_texts = _canonical_members(digests), _canonical_members(salts)
    if digest_texts is None or salt_texts is None or _object_text(digest_texts) != digests_json \
            or _object_text(salt_texts) != salts_json:
        return "digests or salts are not stored as canonical JSON"
    if data.keys() != digests.keys():
        return "the payload's fields are not the fields its digests name"
    if not salts.keys() <= digests.keys():
        return "a salt names a field the payload does not have"
    sha256 = hashlib.sha256
    for name, salt in salts.items():
        if not isinstance(salt, str):
            return f"the salt of field {name!r} is not text"
        key, value_json = values[name]
        text = f"[{salt_texts[name][1]},{key},{value_json}]"
        if sha256(text.encode()).hexdigest() != digests[name]:
            return f"field {name!r} does not match its digest (its value was altered)"
    return None


def _canonical_members(obj: dict[str, Any]) -> dict[str, tuple[str, str]] | None:
    """Each member's key and value as canonical JSON, in the object's own order; None when
    that order is not canonical JSON's (sorted keys) or a value has no canonical JSON."""
    names = list(obj)
    if names != sorted(names):
        return None
    text, encode = _encode_text, _encode_value
    try:
        return {name: (text(name), text(value) if type(value) is str else encode(value))
                for name, value in obj.items()}
    except (ValueError, TypeError, RecursionError):
        return None


def _object_text(members: dict[str, tuple[str, str]]) -> str:
    """The canonical JSON of an object from its members' texts (already in key order)."""
    return "{" + ",".join(f"{key}:{value}" for key, value in members.values()) + "}"


def erased_fields(digests_json: str | None, salts_json: str | None) -> list[str]:
    """The fields of a v2 payload whose salt is gone: the erased ones, sorted."""
    if digests_json is None or salts_json is None:
        return []
    return sorted(json.loads(digests_json).keys() - json.loads(salts_json).keys())
