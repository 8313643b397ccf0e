"""A PostgreSQL server of a test's own, for the tests that stop and restart it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pgserver import ThrowawayServer
from tests.tools import POSTGRES, require


@pytest.fixture
def own_server() -> Iterator[ThrowawayServer]:
    """A throwaway server only this test uses (never the shared one: the test stops it)."""
    require(POSTGRES)
    server = ThrowawayServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
