"""Reading a relayed stream back, message by message, for the tests to check."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import nats
from nats.js.errors import NotFoundError

from eventstore import RecordedEvent
from relay import decode


@dataclass(frozen=True)
class Stored:
    sequence: int
    msg_id: str | None
    expected_last: str | None
    subject: str
    event: RecordedEvent


def last_sequence(url: str, stream: str) -> int:
    async def ask() -> int:
        connection = await nats.connect(url)
        try:
            info = await connection.jetstream().stream_info(stream)
            return int(info.state.last_seq or 0)
        except NotFoundError:
            return 0
        finally:
            await connection.close()

    return asyncio.run(ask())


def stream_contents(url: str, stream: str) -> list[Stored]:
    """Every message of the stream by sequence, with the headers the relay set."""

    async def read() -> list[Stored]:
        connection = await nats.connect(url)
        try:
            js = connection.jetstream()
            info = await js.stream_info(stream)
            found = []
            for sequence in range(int(info.state.first_seq or 1),
                                  int(info.state.last_seq or 0) + 1):
                message = await js.get_msg(stream, sequence)
                headers = message.headers or {}
                found.append(Stored(int(message.seq or 0), headers.get("Nats-Msg-Id"),
                                    headers.get("Nats-Expected-Last-Sequence"),
                                    str(message.subject), decode(message.data or b"")))
            return found
        finally:
            await connection.close()

    return asyncio.run(read())
