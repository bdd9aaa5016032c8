"""The export file: JSON Lines, a header, then every event of the log in position order.

Line 1 is the header::

    {"format":"opslog-export","format_version":1,"head_position":N,"head_hash":"…",
     "event_count":N,"exported_at":"…"}

and each further line one event with every envelope field. `data` and `metadata` are the
stored canonical JSON *texts* (JSON strings, not objects) and times are canonical time
texts, so each hash can be recomputed from the line byte for byte, with no opslog code.
`exported_at` is informational: it is the one value the hash chain does not cover.

Format version 2 adds ``"commit_count":C,"commits_sha256":"…"`` to the end of the header
and, after the events, C lines of the log's idempotency records (``{"commit":{"idempotency_key":…,
"fingerprint":…,"first_position":…,"last_position":…,"stream_versions":…,
"recorded_at":…}}``) in position order, so an imported log still answers a resent
command "already recorded". The chain does not cover them, so the header carries the SHA-256 of
their bytes. Version 1 files (no commit lines) are still read.

Format version 3 adds ``"checkpoint_count":K,"checkpoints_sha256":"…"`` after those, and K
lines of the log's signed checkpoints (``{"checkpoint":{"origin":…,"tree_size":N,
"root_hash":"<hex>","note":"<the signed note>","created_at":…}}``), each placed right after
the event at position N (a checkpoint of size 0 right after the header), so a reader that
grows the RFC 9162 tree over the events as it reads checks each root where it stands. The
header carries the SHA-256 of their bytes, as for commits.

An envelope 2 event's line (every event appended since es0004) ends with
``"envelope":2,"digests":"…","salts":"…"``: the canonical JSON texts of its field digests,
which its hash commits to, and of its salts. An erased field has no salt and its value is
whatever the erasure left; the erasure event's metadata names it (``"erases"``), and every
other field's digest is recomputed from its value and salt.

Decoding is strict: a line either is exactly what an honest export of an intact log would
hold, byte for byte (each parsed line is encoded again and must give the same bytes, so a
repeated key, a space or a reordered field is refused), or it is refused with the reason;
nothing is repaired or guessed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventstore.canonical import canonical_json, format_time, hash_input
from eventstore.errors import InvalidEvent
from eventstore.limits import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_PAYLOAD_BYTES,
    MAX_STREAM_ID_LENGTH,
    MAX_TYPE_LENGTH,
)
from eventstore.model import RecordedEvent
from eventstore.sealing import sealed_problem
from eventstore.transparency.checkpoint import parse_checkpoint
from eventstore.transparency.errors import TransparencyError
from eventstore.transparency.merkle import leaf_hash
from eventstore.transparency.note import parse as parse_note
from eventstore.validation import check_name

FORMAT = "opslog-export"
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
HEADER_FIELDS_V1 = (
    "format", "format_version", "head_position", "head_hash", "event_count", "exported_at"
)
HEADER_FIELDS_V2 = (*HEADER_FIELDS_V1, "commit_count", "commits_sha256")
HEADER_FIELDS = (*HEADER_FIELDS_V2, "checkpoint_count", "checkpoints_sha256")
CHECKPOINT_FIELDS = ("origin", "tree_size", "root_hash", "note", "created_at")
COMMIT_FIELDS = (
    "idempotency_key", "fingerprint", "first_position", "last_position", "stream_versions",
    "recorded_at",
)
EVENT_FIELDS = (
    "position", "event_id", "stream_id", "version", "type", "schema_version",
    "data", "metadata", "occurred_at", "recorded_at", "prev_hash", "hash",
)
MAX_LINE_BYTES = 8 * MAX_PAYLOAD_BYTES + 4096
"""A line can hold the largest payload even if every character needed escaping twice."""

_HEADER_KEYS = {1: frozenset(HEADER_FIELDS_V1), 2: frozenset(HEADER_FIELDS_V2),
                3: frozenset(HEADER_FIELDS)}
_CHECKPOINT_KEYS = frozenset(CHECKPOINT_FIELDS)
_EVENT_KEYS = frozenset(EVENT_FIELDS)
SEALED_FIELDS = ("envelope", "digests", "salts")
"""What an envelope 2 event's line adds after `hash` (format version 3)."""
_SEALED_EVENT_KEYS = frozenset((*EVENT_FIELDS, *SEALED_FIELDS))
_COMMIT_KEYS = frozenset(COMMIT_FIELDS)
_HEX = frozenset("0123456789abcdef")
TIME_EXAMPLE = "2018-04-01T09:00:00.000000Z"


class BadLine(Exception):
    """Why one line of an export is not acceptable (the reader adds where it is)."""


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """What the export claims to hold: positions 1..head_position ending in head_hash."""

    head_position: int
    head_hash: str
    event_count: int
    exported_at: str
    commit_count: int = 0
    commits_sha256: str = hashlib.sha256(b"").hexdigest()
    format_version: int = FORMAT_VERSION
    checkpoint_count: int = 0
    checkpoints_sha256: str = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True, slots=True)
class ExportedCommit:
    """One idempotency record: the key, the content's fingerprint and what it wrote."""

    idempotency_key: str
    fingerprint: str
    first_position: int
    last_position: int
    stream_versions: str
    """The stored canonical JSON text of ``{stream id: version}``."""
    recorded_at: str


@dataclass(frozen=True, slots=True)
class ExportedCheckpoint:
    """One signed checkpoint the log recorded (format version 3)."""

    origin: str
    tree_size: int
    root_hash: str
    note: str
    created_at: str


def encode_header(header: ExportHeader) -> bytes:
    """The header line, newline included, in the header's format version."""
    value: dict[str, Any] = {
        "format": FORMAT,
        "format_version": header.format_version,
        "head_position": header.head_position,
        "head_hash": header.head_hash,
        "event_count": header.event_count,
        "exported_at": header.exported_at,
    }
    if header.format_version >= 2:
        value["commit_count"] = header.commit_count
        value["commits_sha256"] = header.commits_sha256
    if header.format_version >= 3:
        value["checkpoint_count"] = header.checkpoint_count
        value["checkpoints_sha256"] = header.checkpoints_sha256
    return _line(value)


def encode_checkpoint(checkpoint: ExportedCheckpoint) -> bytes:
    """One checkpoint's line, newline included."""
    return _line({"checkpoint": {field: getattr(checkpoint, field)
                                 for field in CHECKPOINT_FIELDS}})


def decode_checkpoint(raw: bytes) -> ExportedCheckpoint:
    """Read one checkpoint line: its fields, and a note whose text is that checkpoint.

    The signature is not checked here: that needs the log's key, which `ExportReader`
    checks it with when given one; the reader always checks the root against the events.
    """
    outer = _object(raw, frozenset({"checkpoint"}))
    value = outer["checkpoint"]
    if not isinstance(value, dict):
        raise BadLine("checkpoint must be a JSON object")
    _check_keys(value, _CHECKPOINT_KEYS)
    checkpoint = ExportedCheckpoint(
        origin=_text(value, "origin"),
        tree_size=_integer(value, "tree_size", 0),
        root_hash=_hash_text(value, "root_hash"),
        note=_text(value, "note"),
        created_at=_canonical_time(value, "created_at")[0],
    )
    try:
        stated = parse_checkpoint(parse_note(checkpoint.note).text)
    except TransparencyError as error:
        raise BadLine(f"checkpoint note: {error}") from error
    if (stated.origin, stated.size, stated.root.hex()) != (
            checkpoint.origin, checkpoint.tree_size, checkpoint.root_hash):
        raise BadLine("checkpoint note does not state the line's origin, tree_size and root_hash")
    _same_bytes(raw, encode_checkpoint(checkpoint))
    return checkpoint


def encode_commit(commit: ExportedCommit) -> bytes:
    """One idempotency record's line, newline included."""
    return _line({"commit": {field: getattr(commit, field) for field in COMMIT_FIELDS}})


def encode_event(event: RecordedEvent) -> bytes:
    """One event's line, newline included, with the texts its hash was computed over."""
    line: dict[str, Any] = {
            "position": event.position,
            "event_id": str(event.event_id),
            "stream_id": event.stream_id,
            "version": event.version,
            "type": event.type,
            "schema_version": event.schema_version,
            "data": event.data_json,
            "metadata": event.metadata_json,
            "occurred_at": format_time(event.occurred_at),
            "recorded_at": format_time(event.recorded_at),
            "prev_hash": event.prev_hash,
            "hash": event.hash,
    }
    if event.envelope != 1:
        line["envelope"] = event.envelope
        line["digests"] = event.digests_json
        line["salts"] = event.salts_json
    return _line(line)


def _line(value: dict[str, Any]) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8") + b"\n"


def decode_header(raw: bytes) -> ExportHeader:
    """Read and check the header line."""
    value = _parse(raw)
    if value.get("format") != FORMAT:
        raise BadLine(f"not an opslog export header (format is not {FORMAT!r})")
    if "format_version" not in value:
        raise BadLine("missing field format_version")
    version = _integer(value, "format_version", 1)
    if version not in READABLE_VERSIONS:
        raise BadLine(f"format_version {version} is not one this opslog reads "
                      f"({', '.join(map(str, READABLE_VERSIONS))})")
    _check_keys(value, _HEADER_KEYS[version])
    head_position = _integer(value, "head_position", 0)
    event_count = _integer(value, "event_count", 0)
    if event_count != head_position:
        raise BadLine(
            f"event_count {event_count} differs from head_position {head_position} "
            "(an export holds positions 1 to head_position)"
        )
    _canonical_time(value, "exported_at")
    header = ExportHeader(
        head_position=head_position,
        head_hash=_hash_text(value, "head_hash"),
        event_count=event_count,
        exported_at=value["exported_at"],
        commit_count=_integer(value, "commit_count", 0) if version >= 2 else 0,
        commits_sha256=(_hash_text(value, "commits_sha256") if version >= 2
                        else hashlib.sha256(b"").hexdigest()),
        format_version=version,
        checkpoint_count=_integer(value, "checkpoint_count", 0) if version >= 3 else 0,
        checkpoints_sha256=(_hash_text(value, "checkpoints_sha256") if version >= 3
                            else hashlib.sha256(b"").hexdigest()),
    )
    _same_bytes(raw, encode_header(header))
    return header


def decode_commit(raw: bytes) -> ExportedCommit:
    """Read and check one idempotency record's line (its positions are checked by the
    reader, against the events and the record before it)."""
    outer = _object(raw, frozenset({"commit"}))
    value = outer["commit"]
    if not isinstance(value, dict):
        raise BadLine("commit must be a JSON object")
    _check_keys(value, _COMMIT_KEYS)
    first = _integer(value, "first_position", 1)
    last = _integer(value, "last_position", first)
    versions = _json_object_text(value, "stream_versions")
    if not all(isinstance(version, int) and not isinstance(version, bool) and version >= 1
               for version in json.loads(versions).values()):
        raise BadLine("stream_versions must map stream ids to versions (integers from 1)")
    commit = ExportedCommit(
        idempotency_key=_key(value),
        fingerprint=_hash_text(value, "fingerprint"),
        first_position=first,
        last_position=last,
        stream_versions=versions,
        recorded_at=_canonical_time(value, "recorded_at")[0],
    )
    _same_bytes(raw, encode_commit(commit))
    return commit


def _same_bytes(raw: bytes, encoded: bytes) -> None:
    """Refuse a line that parses but is not what an export writes, byte for byte."""
    if raw != encoded:
        at = next((index for index, (a, b) in enumerate(zip(raw, encoded, strict=False))
                   if a != b), min(len(raw), len(encoded)))
        raise BadLine(f"not byte for byte what an export writes (first difference at "
                      f"byte {at + 1}: spacing, field order, escaping or a repeated key)")


def decode_event(raw: bytes) -> tuple[RecordedEvent, str, bytes]:
    """Read and check one event line; return the event, the hash recomputed from its texts,
    and its RFC 9162 Merkle leaf hash."""
    value = _parse(raw)
    sealed = "envelope" in value
    _check_keys(value, _SEALED_EVENT_KEYS if sealed else _EVENT_KEYS)
    position = _integer(value, "position", 1)
    version = _integer(value, "version", 1)
    schema_version = _integer(value, "schema_version", 1)
    event_id = _event_id(value)
    stream_id = _name(value, "stream_id", MAX_STREAM_ID_LENGTH)
    type_ = _name(value, "type", MAX_TYPE_LENGTH)
    data_json = _json_object_text(value, "data")
    metadata_json = _json_object_text(value, "metadata")
    if len(data_json.encode("utf-8")) + len(metadata_json.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise BadLine(f"data and metadata exceed the {MAX_PAYLOAD_BYTES}-byte payload limit")
    occurred_text, occurred_at = _canonical_time(value, "occurred_at")
    recorded_text, recorded_at = _canonical_time(value, "recorded_at")
    prev_hash = _hash_text(value, "prev_hash")
    digest = _hash_text(value, "hash")
    envelope, digests_json, salts_json = 1, None, None
    if sealed:
        envelope = _integer(value, "envelope", 2)
        if envelope != 2:
            raise BadLine(f"envelope {envelope} is not one this opslog reads (1, 2)")
        digests_json = _json_object_text(value, "digests")
        salts_json = _json_object_text(value, "salts")
        problem = sealed_problem(data_json, digests_json, salts_json)
        if problem is not None:
            raise BadLine(problem)
    data = hash_input(
        position=position,
        event_id=value["event_id"],
        stream_id=stream_id,
        version=version,
        type=type_,
        schema_version=schema_version,
        occurred_at=occurred_text,
        recorded_at=recorded_text,
        prev_hash=prev_hash,
        data_json=data_json,
        metadata_json=metadata_json,
        envelope=envelope,
        digests_json=digests_json,
    )
    recomputed = hashlib.sha256(data).hexdigest()
    event = RecordedEvent(
        position=position,
        event_id=event_id,
        stream_id=stream_id,
        version=version,
        type=type_,
        schema_version=schema_version,
        data_json=data_json,
        metadata_json=metadata_json,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        prev_hash=prev_hash,
        hash=digest,
        envelope=envelope,
        digests_json=digests_json,
        salts_json=salts_json,
    )
    _same_bytes(raw, encode_event(event))
    return event, recomputed, leaf_hash(data)


def _object(raw: bytes, keys: frozenset[str]) -> dict[str, Any]:
    """A whole line holding one JSON object with exactly `keys`."""
    value = _parse(raw)
    _check_keys(value, keys)
    return value


def _parse(raw: bytes) -> dict[str, Any]:
    if not raw.endswith(b"\n"):
        raise BadLine("the line does not end with a newline (is the file truncated?)")
    if not (raw.startswith(b"{") and raw.endswith(b"}\n")):
        raise BadLine("not a JSON object on a line of its own")
    try:
        value = json.loads(raw, object_pairs_hook=_no_repeats)
    except UnicodeDecodeError as error:
        raise BadLine(f"not valid UTF-8 ({error.reason} at byte {error.start})") from error
    except ValueError as error:
        raise BadLine(f"not valid JSON ({error})") from error
    except RecursionError as error:
        raise BadLine("not valid JSON (nested too deeply)") from error
    if not isinstance(value, dict):
        raise BadLine("not a JSON object")
    return value


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise ValueError(f"key {key!r} appears twice in one object")
        value[key] = item
    return value


def _check_keys(value: dict[str, Any], keys: frozenset[str]) -> None:
    if value.keys() == keys:
        return
    missing = sorted(keys - value.keys())
    unknown = sorted(value.keys() - keys)
    parts = ([f"missing field {', '.join(missing)}"] if missing else []) + (
        [f"unknown field {', '.join(unknown)}"] if unknown else []
    )
    raise BadLine("; ".join(parts))


def _integer(value: dict[str, Any], field: str, minimum: int) -> int:
    number = value[field]
    if isinstance(number, bool) or not isinstance(number, int):
        raise BadLine(f"{field} must be an integer, not {json.dumps(number)}")
    if number < minimum:
        raise BadLine(f"{field} must be at least {minimum}, not {number}")
    return number


def _text(value: dict[str, Any], field: str) -> str:
    text = value[field]
    if not isinstance(text, str):
        raise BadLine(f"{field} must be a string")
    return text


def _name(value: dict[str, Any], field: str, max_length: int) -> str:
    name = value[field]
    if not isinstance(name, str):
        raise BadLine(f"{field} must be a string")
    problem = _name_problem(field, name, max_length)
    if problem is not None:
        raise BadLine(problem)
    return name


@functools.lru_cache(maxsize=4096)
def _name_problem(field: str, name: str, max_length: int) -> str | None:
    """The store's rule for ids and types, remembered: a log repeats its streams and types."""
    try:
        check_name(field, name, max_length)
    except InvalidEvent as error:
        return str(error)
    return None


def _key(value: dict[str, Any]) -> str:
    key = _text(value, "idempotency_key")
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise BadLine(f"idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters")
    return key


def _event_id(value: dict[str, Any]) -> uuid.UUID:
    text = _text(value, "event_id")
    try:
        event_id = uuid.UUID(text)
    except ValueError as error:
        raise BadLine(f"event_id {text!r} is not a UUID") from error
    if str(event_id) != text:
        raise BadLine(f"event_id {text!r} is not in canonical form ({event_id})")
    return event_id


def _hash_text(value: dict[str, Any], field: str) -> str:
    text = _text(value, field)
    if len(text) != 64 or not _HEX.issuperset(text):
        raise BadLine(f"{field} must be 64 lowercase hexadecimal digits")
    return text


def _canonical_time(value: dict[str, Any], field: str) -> tuple[str, datetime]:
    text = _text(value, field)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadLine(f"{field} {text!r} is not a time") from error
    if moment.tzinfo is None or format_time(moment) != text:
        raise BadLine(f"{field} {text!r} is not a canonical UTC time (like {TIME_EXAMPLE})")
    return text, moment


def _json_object_text(value: dict[str, Any], field: str) -> str:
    text = _text(value, field)
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadLine(f"{field} is not JSON text") from error
    if not isinstance(decoded, dict):
        raise BadLine(f"{field} must be the text of a JSON object")
    try:
        canonical = canonical_json(decoded)
    except ValueError as error:
        raise BadLine(f"{field} holds a value canonical JSON refuses ({error})") from error
    if canonical != text:
        raise BadLine(f"{field} is not canonical JSON (sorted keys, no spaces)")
    return text
