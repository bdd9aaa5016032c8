"""``opslog erase``: an admin erases a recorded text value, keeping the log verifiable."""

from __future__ import annotations

import click

from commands.errors import Forbidden, Refused
from opslog.cli.base import Context, UserError, pass_context
from opslog.cli.identity import ACTOR_OPTION, operator_actor, refused

OPTION_OF = {"position": "POSITION", "field": "FIELD", "reason": "--reason",
             "legal_basis": "--legal-basis"}


@click.command(name="erase")
@click.argument("position", type=int)
@click.argument("field")
@click.option("--reason", required=True, help="Why the value must go (shown in its place).")
@click.option("--legal-basis", "legal_basis", required=True,
              help="The law or decision that requires the erasure (recorded in the log).")
@ACTOR_OPTION
@pass_context
def erase(context: Context, position: int, field: str, reason: str, legal_basis: str,
          actor: str | None) -> None:
    """Erase the text of FIELD of the event at POSITION (admins only).

    The value and its salt leave the database; its digest stays, so `opslog verify`, the
    Merkle tree, every checkpoint and new exports still verify. Every reader shows
    "[erased on DATE by WHO: REASON]" in its place. The erasure is itself an event
    (ValueErased, with the reason and legal basis). Run VACUUM (SQLite) or VACUUM FULL
    events (PostgreSQL) afterwards to reclaim the old row's bytes from the database files.
    """
    from commands.erasure import EraseValue, erase_value
    from commands.identity import direct

    admin = operator_actor(actor)
    try:
        erased = erase_value(context.store(), EraseValue(position, field, reason, legal_basis),
                             actor=admin, channel=direct())
    except Forbidden as refusal:
        raise refused(refusal) from None
    except Refused as refusal:
        raise UserError(f"{OPTION_OF.get(refusal.field, refusal.field)}: "
                        f"{refusal.reason}") from None
    click.echo(f"erased {field} of position {position} (erasure recorded at position "
               f"{erased.position}); it now reads {erased.placeholder}")
    _rebuild_read_models(context)
    holding = _snapshots_from(context, position)
    if holding:
        click.echo(f"warning: stored snapshots {', '.join(map(str, holding))} were rendered "
                   "before this erasure and still hold the value (docs/security.md, "
                   "Erasure)", err=True)


def _rebuild_read_models(context: Context) -> None:
    """Read models built before the erasure hold the value in their rows: built again
    from the log, which now reads the placeholder, they hold it no longer."""
    from projections.readmodels.loading import checkpoint
    from projections.readmodels.runner import Runner
    from projections.readmodels.tables import checkpoints

    store = context.store()
    with store.engine.connect() as connection:
        if not connection.dialect.has_table(connection, checkpoints.name):
            return
        if checkpoint(connection) is None:
            return
    rebuilt = Runner(store).rebuild()
    click.echo(f"read models rebuilt without the erased value (generation "
               f"{rebuilt.generation} at position {rebuilt.position})")


def _snapshots_from(context: Context, position: int) -> list[int]:
    """The ids of stored snapshots whose cut-off includes `position`."""
    from projections.snapshots.registry import has_snapshot_tables, snapshot_infos

    with context.store().engine.connect() as connection:
        if not has_snapshot_tables(connection):
            return []
        return [info.id for info in snapshot_infos(connection) if info.position >= position]
