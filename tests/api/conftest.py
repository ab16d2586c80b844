"""Fixtures for the client tests: a scriptable fault server per test, a real
`vidflow serve` per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_support import OTHER_KEY, FaultServer, LiveServer


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    from vidflow.testing import story_server

    with story_server(api_keys=[OTHER_KEY]) as (base_url, key, engine):
        yield LiveServer(base_url, key, engine)
