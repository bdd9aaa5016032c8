"""The command envelope: one JSON object per command, parsed at the boundary.

    {"command": "ReportMilestoneProgress", "id": "2018-19-q1/vctf-progress",
     "actor": "recorder.vctf", "correlation_id": "q1-return",
     "reported_on": "2018-07-20", "data": {...}}

`command` and `id` are required; `actor` may instead come from the caller (``--actor``);
`reported_on` is the date the command's source (a return, a publication) reported it, for
history recorded late (`catalogue.reported`); `data` holds the command's fields
(``opslog commands`` lists them).
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from marshmallow import ValidationError

from commands.command import Command
from commands.errors import Refused, problems_from
from commands.registry import COMMANDS, spec_of
from eventstore import canonical_json
from eventstore.limits import MAX_NESTING_DEPTH

COMMAND_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+#=-]{0,199}$")
ACTOR_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,79}$")
"""The catalogue's actor id: what RoleGranted accepts."""
ENVELOPE_KEYS = ("command", "id", "actor", "correlation_id", "reported_on", "data")
MAX_INTEGER_BITS = 12_000
"""Integers up to about 3,600 digits: below what Python will write out as text (4,300)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """A typed command with its id (the idempotency key) and, optionally, who sends it."""

    command_id: str
    command: Command
    actor: str | None = None
    correlation_id: str | None = None
    reported_on: date | None = None
    """When its source reported it, if not on the day it is recorded."""


def parse(raw: object) -> Submission:
    """Validate an envelope and its data; `Refused` names the first bad field."""
    if not isinstance(raw, Mapping):
        raise Refused("command", 'must be a JSON object: {"command": …, "id": …, "data": {…}}')
    for key in raw:
        if key not in ENVELOPE_KEYS:
            raise Refused(_printable(str(key)),
                          f"is not part of a command (use {', '.join(ENVELOPE_KEYS)})")
    name = raw.get("command")
    if not isinstance(name, str) or not name:
        raise Refused("command", "is required: the name of a command (see `opslog commands`)")
    spec = COMMANDS.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f"; did you mean {close[0]}?" if close else " (see `opslog commands`)"
        raise Refused("command", f"unknown command {name!r}{hint}")
    command_id = check_id("id", raw.get("id"))
    actor = raw.get("actor")
    if actor is not None:
        actor = check_actor(actor)
    correlation_id = raw.get("correlation_id")
    if correlation_id is not None:
        correlation_id = check_id("correlation_id", correlation_id)
    reported_on = check_reported_on(raw.get("reported_on"))
    data = raw.get("data")
    if not isinstance(data, Mapping):
        raise Refused("data", f"is required: an object of {name}'s fields")
    _check_values(data)
    try:
        command = spec.load(data)
    except ValidationError as error:
        raise Refused.of(problems_from(error.messages)) from None
    return Submission(command_id=command_id, command=command, actor=actor,
                      correlation_id=correlation_id, reported_on=reported_on)


def check_reported_on(value: object) -> date | None:
    """The envelope's ``reported_on``: absent, or a date written ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Refused("reported_on", "must be a date written YYYY-MM-DD: the day the command's "
                  "source (a return, a publication) reported it")


def _check_values(data: Mapping[str, object]) -> None:
    """Refuse what has no JSON text, naming where it is, before anything hashes, stores
    or prints it: text with a lone surrogate (JSON's ``\\ud800`` escape makes one), a
    NaN or infinite number, an integer too long to write out, nesting deeper than the
    log stores."""
    stack: list[tuple[tuple[object, ...], object, int]] = [((), data, 1)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, Mapping | list | tuple) and depth > MAX_NESTING_DEPTH:
            raise Refused(_field(path), f"is nested more than {MAX_NESTING_DEPTH} levels deep")
        children: list[tuple[object, object]] = []
        if isinstance(value, Mapping):
            children = list(value.items())
        elif isinstance(value, list | tuple):
            children = list(enumerate(value))
        elif isinstance(value, str) and not _encodable(value):
            raise Refused(_field(path), "is not valid Unicode text (it holds a lone surrogate, "
                          "such as \\ud800)")
        elif isinstance(value, float) and not math.isfinite(value):
            raise Refused(_field(path), "must be a finite number")
        elif isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
            raise Refused(_field(path), "is too large a number")
        for key, child in children:
            if isinstance(key, str) and not _encodable(key):
                raise Refused(_field(path), f"has a field name that is not valid Unicode text "
                              f"({_printable(key)})")
            stack.append(((*path, key), child, depth + 1))


def _field(path: tuple[object, ...]) -> str:
    """A path into the data as refusals name it: ``facts.0.value``."""
    return ".".join(str(step) for step in path) if path else "data"


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """`text`, or its escaped form when it cannot be written out as UTF-8."""
    return text if _encodable(text) else ascii(text)[1:-1]


def check_id(field: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise Refused(field, "is required: a unique id such as 2018-19-q1/vctf-progress")
    if not COMMAND_ID.match(value):
        raise Refused(field, "must be 1 to 200 letters, digits and . _ : / @ + # = - "
                      "(no spaces), starting with a letter or digit")
    return value


def check_actor(value: object) -> str:
    if not isinstance(value, str) or not ACTOR_ID.match(value):
        raise Refused("actor", "must be a lowercase actor id (letters, digits, . _ @ -)")
    return value


def command_hash(command: Command, actor: str, reported_on: date | None = None) -> str:
    """The body's fingerprint: the same id with a different body is another command (a
    declared date counts; a command without one hashes as it always has)."""
    spec = spec_of(command)
    body = {"command": spec.name, "actor": actor, "data": spec.schema.dump(command)}
    if reported_on is not None:
        body["reported_on"] = reported_on.isoformat()
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
