"""Fixtures for the relay: a reachable NATS server with JetStream and a stream per test.

Without a server the tests skip, saying why; with ``OPSLOG_REQUIRE_NATS`` set (CI) they
fail instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Iterator

import pytest

NATS_ENV = "OPSLOG_TEST_NATS_URL"
REQUIRE_NATS_ENV = "OPSLOG_REQUIRE_NATS"
DEFAULT_NATS = "nats://127.0.0.1:4222"


def _reachable(url: str) -> bool:
    host_port = url.split("://", 1)[-1].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 4222)), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def nats_url() -> str:
    url = os.environ.get(NATS_ENV) or DEFAULT_NATS
    if not _reachable(url):
        if os.environ.get(REQUIRE_NATS_ENV):
            pytest.fail(f"{REQUIRE_NATS_ENV} is set but no NATS server answers at {url}")
        pytest.skip(f"NATS not tested: no server at {url} (start `nats-server -js` or set "
                    f"{NATS_ENV})")
    return url


@pytest.fixture
def stream_name(nats_url: str) -> Iterator[str]:
    """A fresh stream name, its stream deleted after the test."""
    name = f"T{uuid.uuid4().hex[:12].upper()}"
    yield name
    asyncio.run(delete_stream(nats_url, name))


@pytest.fixture
def subject_prefix(stream_name: str) -> str:
    """A prefix of the test's own: a shared server may hold streams over ``opslog.>``."""
    return prefix_for(stream_name)


def prefix_for(stream_name: str) -> str:
    return f"t.{stream_name.lower()}"


async def delete_stream(url: str, name: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    connection = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await connection.jetstream().delete_stream(name)
    finally:
        await connection.close()
