"""The engine, the migrations applied at start, and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from storage.outage import Outage

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT = 10  # seconds: a turn waiting longer than this is refused and retried instead


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout and foreign keys on every connection.

    PostgreSQL sessions run in UTC and name themselves, so `pg_stat_activity` shows the bot;
    a connection attempt to a server that does not answer gives up after CONNECT_TIMEOUT.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        args = {
            "application_name": "taizhang",
            "options": "-c timezone=UTC",
            "connect_timeout": CONNECT_TIMEOUT,
        }
        return create_engine(url, pool_pre_ping=True, connect_args=args)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration, pointed at our migrations and this engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; an older database is upgraded, never recreated."""
    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The newest schema revision among our migrations: the one `migrate` brings a database to."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if head is None:  # our migrations are one line: only a broken checkout has none
        raise RuntimeError(f"no migration in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class Database:
    """The engine, its units of work, and whether the database answers them (`outage`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.outage = Outage()

    @classmethod
    def open(cls, url: str) -> Database:
        """Connect and migrate."""
        engine = make_engine(url)
        migrate(engine)
        return cls(engine)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises (a database
        that cannot be reached is noted in `outage`)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                touched = session.in_transaction()  # it read or wrote: the commit goes out
                session.commit()
            except BaseException as err:
                session.rollback()
                self.outage.failed(err)
                raise
        if touched:
            self.outage.answered()
