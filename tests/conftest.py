"""Shared fixtures: a real database per test, a movable clock, the running bot.

The suite runs on a SQLite file per test, or, with TAIZHANG_TEST_DATABASE=postgresql, on a
fresh PostgreSQL database per test (the server from TAIZHANG_TEST_POSTGRES_URL, or a
throwaway one started for the session).
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database, make_engine, migrate
from tests import pgserver, tools
from tests.harness import Harness, MakeWorld, World, build_world, county_world

ON_POSTGRES = os.environ.get("TAIZHANG_TEST_DATABASE", "sqlite") == "postgresql"
# as `taizhang` runs (bot/cli/main.py): PTB's durations (a 429's retry_after) as timedelta,
# without a deprecation warning each; the processes the tests start inherit it
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server's URL, with a migrated template database on it."""
    pgserver.require_server()
    with pgserver.server() as url:
        pgserver.prepare_template(url)
        yield url


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped after the test."""
    with pgserver.database(pg_server) as url:
        yield url


@pytest.fixture
def empty_pg_url(pg_server: str) -> Iterator[str]:
    """A PostgreSQL database with no tables at all, dropped after the test."""
    with pgserver.database(pg_server, "template0") as url:
        yield url


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all, for the migrations' own tests."""
    if ON_POSTGRES:
        return request.getfixturevalue("empty_pg_url")
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session (per worker): each test's database
    starts as a copy of it, as a PostgreSQL test's starts from the migrated template database."""
    path = tmp_path_factory.mktemp("template") / "taizhang.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as conn:  # all of it in the file itself: the copy takes no -wal
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return path


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at head: a SQLite file copied from the session's migrated template, or
    a PostgreSQL database made from the server's (a migration's own test starts from
    `empty_db_url`)."""
    if ON_POSTGRES:
        return request.getfixturevalue("pg_url")
    path = tmp_path / "taizhang.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Database:
    """A migrated database on a real SQLite file."""
    # at head already (a copy of the migrated template): alembic's check would only read every
    # migration file again (0.04-0.2 s a test)
    return Database(make_engine(db_url))


@pytest.fixture
def now() -> datetime:
    """A fixed moment: Monday 23 November 2026, 10:00 in Beijing."""
    return datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
async def bot(request: pytest.FixtureRequest, db_url: str) -> AsyncIterator[Harness]:
    """The real bot polling the local Bot API, the seed-000 campaign loaded, one admin; its
    Mini App served too in a test module that sets `MINI_APP = True`."""
    harness = Harness(db_url, mini_app=getattr(request.module, "MINI_APP", False))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
def make_world(bot: Harness) -> MakeWorld:
    """A factory: `await make_world(units=[...], liaisons={unit: [names]}, supervisors=[...])`
    sets up groups bound through the real /bind and people with roles on the `bot` fixture
    (a test module's own `bot` fixture, with its campaign or limits, is used when it has one).
    """

    return functools.partial(build_world, bot)


@pytest.fixture
async def county(make_world: MakeWorld) -> World:
    """轮台县's group with its liaison 李明, and the supervisor 督办张, whose private chat (and
    the admin's) is read up to now."""
    return await county_world(make_world)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Once at the end of the run: what a missing system tool skipped, and what to install."""
    reasons = [
        str(report.longrepr[2])
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    ]
    for line in tools.summary(reasons):
        terminalreporter.write_line(line)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: one worker a core. Three for two cores ran the SQLite pass in 310 s instead
    of about 340 s, but loaded the timing tests: a browser test's 60 s wait and a chat test's
    order of messages each failed once under it (CI, stop 37), never at one a core.
    PYTEST_XDIST_AUTO_NUM_WORKERS chooses."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own hook reads it
    return max(1, len(os.sched_getaffinity(0)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test whose module uses a tool's helpers (the browser, the print tests' converters) is
    skipped, or failed in CI, before its fixtures: its helpers would say the same later."""
    module = getattr(item, "module", None)
    for need in tools.needs_of(vars(module) if module is not None else {}):
        tools.require(need)
