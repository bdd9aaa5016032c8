"""`EraseValue`: an admin erases a recorded text value the law says must go.

Not a command of the registry (it answers no event and decides nothing for the write
model): like issuing a token it is an admin act, checked with `permissions.require`, that
records one event, `ValueErased`, through `EventStore.erase`, which in the same commit
replaces the value with ``[erased on DATE by WHO: REASON]`` and drops its salt. Only a
top-level text field of an event can be erased (a narrative, a title, a reason): what
stands in its place is text, so every reader and the fold go on as before.

Bad input is `Refused` naming the field (``position``, ``field``, ``reason``,
``legal_basis``) and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from catalogue import Metadata, ValueErased, to_new_event
from catalogue.channel import Channel
from catalogue.erasure import ERASURE_STREAM, MAX_REASON, placeholder
from commands.errors import Refused
from commands.permissions import require
from eventstore import Erase, EventStore, InvalidEvent, RecordedEvent
from eventstore.sealing import erased_fields


@dataclass(frozen=True, slots=True)
class EraseValue:
    """Erase the text of `field` of the event at `position`, for `reason` under
    `legal_basis`."""

    position: int
    field: str
    reason: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure recorded: its event's position and the text now shown instead."""

    position: int
    placeholder: str


def erase_value(store: EventStore, command: EraseValue, *, actor: str, channel: Channel,
                now: datetime | None = None) -> Erased:
    """Record the erasure: `actor` must be an admin (`Forbidden` otherwise)."""
    require(store, actor, "erase")
    reason = _required("reason", command.reason, "say why the value must go")
    legal_basis = _required("legal_basis", command.legal_basis,
                            "name the law or decision that requires the erasure")
    target = _target(store, command)
    day = (now or datetime.now(UTC)).astimezone(UTC).date().isoformat()
    text = placeholder(day, actor, reason)
    event = ValueErased(target_position=target.position, target_type=target.type,
                        field=command.field, reason=reason, legal_basis=legal_basis,
                        placeholder=text)
    command_id = f"EraseValue/{target.position}/{command.field}"
    metadata = Metadata(actor=actor, unit=None, command_id=command_id,
                        command_type="EraseValue", correlation_id=command_id,
                        causation_id=command_id, channel=channel.as_dict())
    try:
        result = store.erase([Erase(target.position, command.field, text)], ERASURE_STREAM,
                             to_new_event(event, metadata))
    except InvalidEvent as error:  # the log changed between the check and the commit
        raise Refused(error.field.rsplit(".", 1)[-1], error.reason) from error
    return Erased(position=result.last_position, placeholder=text)


def _required(field: str, value: object, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Refused(field, f"is required: {what}")
    if len(text) > MAX_REASON:
        raise Refused(field, f"is {len(text)} characters; at most {MAX_REASON}")
    return text


def _target(store: EventStore, command: EraseValue) -> RecordedEvent:
    position, field = command.position, command.field
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        raise Refused("position", "must be a position in the log (from 1)")
    found = next(iter(store.read_all(from_position=position, limit=1)), None)
    if found is None or found.position != position:
        raise Refused("position", f"there is no event at position {position}")
    if found.type == ValueErased.type_name:
        raise Refused("position", f"position {position} is an erasure's own record")
    if found.envelope != 2:
        raise Refused("position", f"the {found.type} at position {position} was recorded "
                      "before salted digests (envelope 1): its hash commits to the text itself, "
                      "which cannot go without breaking the chain")
    if not isinstance(field, str) or field not in found.data:
        raise Refused("field", f"the {found.type} at position {position} has no field "
                      f"{field!r} (it has {', '.join(sorted(found.data))})")
    if field in erased_fields(found.digests_json, found.salts_json):
        raise Refused("field", f"field {field!r} of position {position} is already erased")
    if not isinstance(found.data[field], str) or not found.data[field]:
        raise Refused("field", f"field {field!r} of the {found.type} at position {position} "
                      "holds no text: only text values can be erased")
    return found
