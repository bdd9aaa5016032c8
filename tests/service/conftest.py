"""A service over the Q1 sample on each backend, driven in process by Starlette's client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from eventstore import EventStore
from opslog.service.app import create_app
from opslog.service.auth import token_authenticator
from tests.service.q1 import Q1, load


@dataclass
class Served:
    store: EventStore
    q1: Q1
    client: TestClient

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.q1.secrets[role]}"}

    def head(self) -> int:
        return self.store.head().position


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    store = EventStore.open(database_url, create=True)
    try:
        q1 = load(store)
        app = create_app(store, token_authenticator(store))
        with TestClient(app) as client:
            yield Served(store, q1, client)
    finally:
        store.close()
