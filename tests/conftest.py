"""Shared fixtures: a real SQLite file per test, a movable clock, the running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.db import Database
from tests.harness import Harness


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'taizhang.db'}"


@pytest.fixture
def db(db_url: str) -> Database:
    """A migrated database on a real SQLite file."""
    return Database.open(db_url)


@pytest.fixture
def now() -> datetime:
    """A fixed moment: Monday 23 November 2026, 10:00 in Beijing."""
    return datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    """The real bot polling the local Bot API, the seed-000 campaign loaded, one admin."""
    harness = Harness(db_url)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
