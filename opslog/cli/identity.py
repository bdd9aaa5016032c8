"""Who acts on the operator's channel, and the admins' tokens (``opslog tokens``).

The CLI with a database URL is the operator's channel. ``--actor`` (or ``$OPSLOG_ACTOR``)
names whom the operator acts as; that actor must hold the role the act needs, as over
HTTP, and every event written records the channel: ``direct``, with this process's OS
user and host. The operator holds the database and could write around any check, so the
check is there to keep honest people within their role, and the record is there to say
who did it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

from commands.errors import Forbidden, Refused
from opslog.cli.base import Context, UserError, pass_context
from opslog.config import ACTOR_ENV

ACTOR_OPTION = click.option("--actor", envvar=ACTOR_ENV, metavar="ACTOR", default=None,
                            help=f"Whom you act as (${ACTOR_ENV}); the actor must hold the "
                                 "role this needs. Your OS user and host are recorded too.")
DEFAULT_EXPIRY = "90d"
_DURATION = re.compile(r"^(?P<count>[1-9][0-9]{0,4})(?P<unit>[mhdw])$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
          "w": timedelta(weeks=1)}


def operator_actor(actor: str | None) -> str:
    """The actor the operator acts as, checked for form (roles are checked by the act)."""
    from commands.envelope import check_actor  # the command registry: only when needed

    if actor is None:
        raise UserError(f"--actor: say whom you act as (or set ${ACTOR_ENV})")
    try:
        return check_actor(actor)
    except Refused as refusal:
        raise UserError(f"--actor: {refusal.reason}") from None


def refused(refusal: Refused) -> UserError:
    """A refusal as one line naming the field (``--actor`` for who acts)."""
    field = "--actor" if refusal.field == "actor" else refusal.field
    return UserError(f"{field}: {refusal.reason}")


class Duration(click.ParamType[timedelta | None]):
    """``30m``, ``12h``, ``90d``, ``2w``, or ``never``."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> timedelta | None:
        if isinstance(value, timedelta) or value is None:
            return value
        text = str(value).strip().lower()
        if text == "never":
            return None
        match = _DURATION.match(text)
        if match is None:
            self.fail("must be a whole number of minutes, hours, days or weeks "
                      "(30m, 12h, 90d, 2w) or never", param, ctx)
        return int(match["count"]) * _UNITS[match["unit"]]


@click.group()
def tokens() -> None:
    """Bearer tokens for the HTTP service: issue, list, revoke (admins only)."""


@tokens.command()
@click.argument("token_actor", metavar="ACTOR")
@click.option("--expires", type=Duration(), default=DEFAULT_EXPIRY, show_default=True,
              help="How long it is good for: 30m, 12h, 90d, 2w, or never.")
@ACTOR_OPTION
@pass_context
def issue(context: Context, token_actor: str, expires: timedelta | None,
          actor: str | None) -> None:
    """Issue a token that authenticates ACTOR; print its secret, once.

    The secret is the only line on standard output (``TOKEN=$(opslog tokens issue …)``);
    the database keeps only its SHA-256, so it cannot be shown again. Issuing is recorded
    in the log as TokenIssued (never the secret).
    """
    from commands.identity import direct, issue_token

    issuer = operator_actor(actor)
    try:
        issued = issue_token(context.store(), actor=token_actor, issued_by=issuer,
                             expires_in=expires, channel=direct())
    except Forbidden as refusal:
        raise refused(refusal) from None
    except Refused as refusal:
        field = "ACTOR" if refusal.field == "actor" else f"--{refusal.field}"
        raise UserError(f"{field}: {refusal.reason}") from None
    until = issued.expires_at.isoformat(timespec="seconds") if issued.expires_at else "never"
    click.echo(f"issued {issued.token_id} to {issued.actor}, expires {until}; the secret "
               "below is shown once and kept nowhere:", err=True)
    click.echo(issued.secret)


@tokens.command(name="list")
@ACTOR_OPTION
@pass_context
def list_command(context: Context, actor: str | None) -> None:
    """Every token issued: id, actor, state, created, expires, revoked (never a secret)."""
    from commands.identity import list_tokens
    from commands.permissions import require

    store = context.store()
    try:
        require(store, operator_actor(actor), "tokens")
    except Refused as refusal:
        raise refused(refusal) from None
    now = datetime.now(UTC)
    found = list_tokens(store)
    if not found:
        click.echo("no tokens issued")
        return
    for info in found:
        expires = info.expires_at.isoformat(timespec="seconds") if info.expires_at else "never"
        line = (f"{info.token_id}  {info.actor}  {info.state(now)}  created "
                f"{info.created_at.isoformat(timespec='seconds')} by {info.issued_by}  "
                f"expires {expires}")
        if info.revoked_at is not None:
            line += (f"  revoked {info.revoked_at.isoformat(timespec='seconds')} by "
                     f"{info.revoked_by}")
        click.echo(line)


@tokens.command()
@click.argument("token_id", metavar="ID")
@ACTOR_OPTION
@pass_context
def revoke(context: Context, token_id: str, actor: str | None) -> None:
    """Revoke token ID: it authenticates no one from now on (recorded as TokenRevoked)."""
    from commands.identity import direct, revoke_token

    try:
        info = revoke_token(context.store(), token_id, revoked_by=operator_actor(actor),
                            channel=direct())
    except Refused as refusal:
        raise refused(refusal) from None
    assert info.revoked_at is not None
    click.echo(f"revoked {info.token_id} of {info.actor} at "
               f"{info.revoked_at.isoformat(timespec='seconds')}")
