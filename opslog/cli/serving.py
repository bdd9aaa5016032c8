"""`opslog serve`: the HTTP service and the dashboard, over the same database."""

from __future__ import annotations

import errno
import os
import socket

import click

from opslog.cli.base import Context, UserError, pass_context
from opslog.config import DATABASE_ENV, READ_DATABASE_ENV


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes, each with its own connections.")
@click.option("--public", is_flag=True,
              help="Serve each quarter's published update to anyone, without a token.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a request may run before it is answered 503.")
@click.option("--access-log", is_flag=True, help="Log every request on standard error.")
@pass_context
def serve(context: Context, host: str, port: int, workers: int, public: bool,
          timeout: float, access_log: bool) -> None:
    """Serve the HTTP API (/v1, /openapi.json) and the read-only dashboard.

    Every request needs a bearer token (`opslog tokens issue ACTOR`); a command is
    recorded as the token's actor, through the api channel. Stops on Ctrl-C.
    """
    import uvicorn

    from opslog.database import check
    from opslog.service.asgi import PUBLIC_ENV, TIMEOUT_ENV

    try:
        check(context.store())
    except UserError:
        raise
    except Exception as error:
        raise UserError(f"--db: the database is not ready to serve ({error}); run opslog "
                        "init") from None
    context.close()
    _check_free(host, port)
    os.environ[DATABASE_ENV] = context.url
    if context.read_url is not None:
        context.read_store().head()  # a standby that does not answer stops it here
        context.close()
        os.environ[READ_DATABASE_ENV] = context.read_url
    os.environ[PUBLIC_ENV] = "1" if public else "0"
    os.environ[TIMEOUT_ENV] = str(timeout)
    click.echo(f"serving {context.url} on http://{host}:{port} ({workers} worker"
               f"{'s' if workers > 1 else ''}{', published quarters public' if public else ''})",
               err=True)
    uvicorn.run("opslog.service.asgi:app_from_environment", factory=True, host=host,
                port=port, workers=workers, log_level="info", access_log=access_log,
                proxy_headers=False, server_header=False)


def _check_free(host: str, port: int) -> None:
    """Refuse, naming the option, an address this machine cannot listen on or another
    process holds, before the server starts (it would log a bind error and exit 3)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise UserError(f"--host: {host!r} is not an address to listen on ({error.strerror})"
                        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UserError(f"--port: {port} is already in use on {host}") from None
            raise UserError(f"--host: cannot listen on {host}:{port} ({error.strerror})"
                            ) from None
