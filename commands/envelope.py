"""The command envelope: one JSON object per command, parsed at the boundary.

    {"command": "ReportMilestoneProgress", "id": "2018-19-q1/vctf-progress",
     "actor": "recorder.vctf", "correlation_id": "q1-return", "data": {...}}

`command` and `id` are required; `actor` may instead come from the caller (``--actor``);
`data` holds the command's fields (``opslog commands`` lists them).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from marshmallow import ValidationError

from commands.definitions import COMMANDS, Command, spec_of
from commands.errors import Refused, problems_from
from eventstore import canonical_json

COMMAND_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+#=-]{0,199}$")
ACTOR_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,79}$")
"""The catalogue's actor id: what RoleGranted accepts."""
ENVELOPE_KEYS = ("command", "id", "actor", "correlation_id", "data")


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """A typed command with its id (the idempotency key) and, optionally, who sends it."""

    command_id: str
    command: Command
    actor: str | None = None
    correlation_id: str | None = None


def parse(raw: object) -> Submission:
    """Validate an envelope and its data; `Refused` names the first bad field."""
    if not isinstance(raw, Mapping):
        raise Refused("command", 'must be a JSON object: {"command": …, "id": …, "data": {…}}')
    for key in raw:
        if key not in ENVELOPE_KEYS:
            raise Refused(str(key), f"is not part of a command (use {', '.join(ENVELOPE_KEYS)})")
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
    data = raw.get("data")
    if not isinstance(data, Mapping):
        raise Refused("data", f"is required: an object of {name}'s fields")
    try:
        command = spec.schema.load(data)
    except ValidationError as error:
        raise Refused.of(problems_from(error.messages)) from None
    assert isinstance(command, Command)
    return Submission(command_id=command_id, command=command, actor=actor,
                      correlation_id=correlation_id)


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


def command_hash(command: Command, actor: str) -> str:
    """The body's fingerprint: the same id with a different body is another command."""
    spec = spec_of(type(command))
    body = {"command": spec.name, "actor": actor, "data": spec.schema.dump(command)}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
