"""The first admin: made by the operator, never by whoever submits first.

On a log with no admin every command is refused (`commands.permissions.authorise`); the
operator, who holds the database URL, names the first admin with ``opslog init --admin
NAME``. It is recorded as an ordinary ``RoleGranted`` whose metadata names the operator's
channel (OS user and host), so the log says who made it.
"""

from __future__ import annotations

from catalogue import Metadata, RoleGranted, encode
from catalogue.channel import Channel
from commands.envelope import check_actor
from commands.errors import Refused
from commands.identity.roles import roles_now
from commands.permissions import ADMIN
from commands.write_model.state import Role
from eventstore import EventStore, NewEvent


def make_first_admin(store: EventStore, name: str, channel: Channel) -> int | None:
    """Grant `name` the admin role on a log that has no admin; the position recorded, or
    None when `name` is already admin. Another admin existing is `Refused` (``admin``):
    from then on admins grant roles with GrantRole."""
    name = check_actor(name)
    state = roles_now(store)
    if Role(ADMIN, None) in state.roles_of(name):
        return None
    admins = sorted(actor for actor, roles in state.roles.items() if Role(ADMIN, None) in roles)
    if admins:
        raise Refused("admin", f"the log has an admin already ({', '.join(admins)}): an admin "
                      "grants roles with GrantRole")
    event = RoleGranted(actor=name, role=ADMIN)
    command_id = f"init/admin/{name}"
    metadata = Metadata(actor=name, unit=None, command_id=command_id, command_type="GrantRole",
                        correlation_id=command_id, causation_id=command_id,
                        channel=channel.as_dict())
    result = store.append(event.stream_id, [NewEvent(
        type=event.type_name, data=encode(event), metadata=metadata.as_dict(),
        schema_version=event.schema_version)], idempotency_key=command_id)
    return result.first_position
