"""The planner's lease: which of several bot processes plans reminders.

On PostgreSQL it is a session-level advisory lock held on a connection of its own: when the
holder dies, the server closes that session and the lock is free for the next process that
asks. On SQLite only one process runs at all (`bot.serve.run.sqlite_lock`), so it always holds it.
Correctness does not rest on the lease: planned notifications have unique keys, so two
passes at once would still plan each once; the lease only saves doing the work twice.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage.db import CONNECT_TIMEOUT
from workflows.guards import required

logger = logging.getLogger(__name__)

PLANNER_KEY = 0x7A69_6A68  # any constants shared by every process of the bot
POLLER_KEY = 0x7A69_6A69  # long polling: Telegram answers getUpdates to one caller only
# The server probes an idle client after 20 s, then every 5 s, 4 times: a holder whose
# machine vanished without closing its socket loses the lease in about 40 s.
KEEPALIVE = "-c tcp_keepalives_idle=20 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=4"


class Lease:
    """A named advisory lock that one process at a time holds."""

    def __init__(self, engine: Engine, key: int = PLANNER_KEY, name: str = "planner") -> None:
        self.key, self.name = key, name
        self.shared = engine.dialect.name != "postgresql"
        self._engine: Engine | None = None
        if not self.shared:
            args = {
                "application_name": "taizhang lease",
                "options": KEEPALIVE,
                "connect_timeout": CONNECT_TIMEOUT,
            }
            self._engine = create_engine(engine.url, poolclass=NullPool, connect_args=args)
        self._conn: Connection | None = None
        # the jobs that only the holder runs each ask from a worker thread, and a connection
        # is not to be used by two threads at once
        self._lock = threading.Lock()

    @property
    def holding(self) -> bool:
        """Whether this process held the lease at its last check (no database round trip)."""
        return self.shared or self._conn is not None

    def held(self) -> bool:
        """Whether this process holds the lease now; takes it if it is free."""
        if self.shared:
            return True
        with self._lock:
            return self._held()

    def _held(self) -> bool:
        if self._conn is not None and self._alive(self._conn):
            return True
        self._drop()
        engine = required(self._engine, "the lease's engine")
        try:
            conn = engine.connect()
            taken = conn.execute(text("select pg_try_advisory_lock(:k)"), {"k": self.key})
            got = bool(taken.scalar())
            conn.commit()
        except DBAPIError as err:  # the database's outage is logged once, by the units of work
            logger.debug("%s lease: database unreachable (%s)", self.name, type(err).__name__)
            return False
        if not got:
            conn.close()
            return False
        logger.info("%s lease taken by this process", self.name)
        self._conn = conn
        return True

    def release(self) -> None:
        """Give the lease up (at shutdown), so another process takes it at once."""
        with self._lock:
            self._drop()
        if self._engine is not None:
            self._engine.dispose()

    def _alive(self, conn: Connection) -> bool:
        try:
            conn.execute(text("select 1"))
            conn.commit()
        except DBAPIError:
            logger.warning("%s lease lost with its connection", self.name)
            return False
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(DBAPIError):  # a dead connection has nothing to close
                self._conn.close()
            self._conn = None
