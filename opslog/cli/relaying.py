"""Operators' relay command: the log's committed events out to a message broker."""

from __future__ import annotations

import asyncio
import signal

import click

from eventstore.leases import LeaseHeld, LeaseLost
from opslog.cli.base import Context, UserError, pass_context


@click.group()
def relay() -> None:
    """Relay committed events to a message broker, exactly once, in position order."""


@relay.command()
@click.option("--url", default="nats://127.0.0.1:4222", show_default=True,
              help="The NATS server (JetStream enabled).")
@click.option("--stream", default="OPSLOG", show_default=True,
              help="The JetStream stream; created over SUBJECT-PREFIX.> when missing.")
@click.option("--subject-prefix", default="opslog", show_default=True,
              help="Each event goes to PREFIX.<category>.<type>.")
@click.option("--lease-seconds", type=click.FloatRange(min=1), default=30.0, show_default=True,
              metavar="N", help="On SQLite, a relay that died holds the database for N "
                                "seconds (PostgreSQL frees it at once).")
@pass_context
def nats(context: Context, url: str, stream: str, subject_prefix: str,
         lease_seconds: float) -> None:
    """Publish every committed event to a JetStream stream whose sequence is the log's
    position, until stopped (Ctrl-C or SIGTERM).

    Each message carries Nats-Msg-Id (the event id) and Nats-Expected-Last-Sequence
    (position - 1), so JetStream stores nothing out of order and nothing twice. After a
    crash it resumes from the stream's last sequence. One relay per database: a second
    refuses to start.
    """
    from nats.errors import Error as NatsError
    from nats.js.errors import APIError

    from relay import NatsRelay, RelayError, RelaySettings

    if not stream or any(c in stream for c in " .*>\t"):
        raise UserError(f"--stream: {stream!r} is not a stream name (no spaces, '.', '*', '>')")
    if not subject_prefix or any(c in subject_prefix for c in " *>\t") \
            or subject_prefix.startswith(".") or subject_prefix.endswith("."):
        raise UserError(f"--subject-prefix: {subject_prefix!r} is not a subject prefix")
    store = context.store()
    settings = RelaySettings(url=url, stream=stream, subject_prefix=subject_prefix,
                             lease_ttl=lease_seconds)
    worker = NatsRelay(store, settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await worker.run(stop)

    click.echo(f"relaying {context.url} to {url} stream {stream} ({subject_prefix}.>)", err=True)
    try:
        asyncio.run(main())
    except LeaseHeld as error:
        raise UserError(f"another relay runs on this database: {error}") from None
    except LeaseLost as error:
        raise UserError(f"the relay lost its lease and stopped: {error}") from None
    except RelayError as error:
        raise UserError(str(error)) from None
    except APIError as error:
        raise UserError(f"--stream: JetStream on {url} refused {stream}: "
                        f"{error.description or error}") from None
    except (OSError, NatsError) as error:
        raise UserError(f"--url: cannot reach NATS at {url} ({error})") from None
    click.echo(f"relay stopped after {worker.published} events", err=True)
