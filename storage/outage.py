"""Whether the database answers: an outage is said once when it begins and once when it ends.

A database that goes away (stopped, restarting, its machine unreachable) makes every unit of
work fail until it is back. The bot's parts (the turns, the planner, the outbox) keep trying
at their own pace; this watch tells which failures mean "unreachable", and logs one line when
the first one comes and one when the database answers again, not a traceback per attempt.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATEs of a server that is going away or not there yet: the connection-
# exception class, admin_shutdown, crash_shutdown, cannot_connect_now (starting, stopping).
GONE_STATES = ("57P01", "57P02", "57P03")
# SQLite: the file cannot be opened or read at all (a locked database is not an outage).
SQLITE_GONE = (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR)


def unreachable(err: BaseException) -> bool:
    """Whether an error means that the database cannot be reached, rather than that the
    statement or the data was wrong (those fail again however often they are retried)."""
    if not isinstance(err, DBAPIError):
        return False
    if err.connection_invalidated:
        return True
    if not isinstance(err, OperationalError | InterfaceError):
        return False
    orig = err.orig
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None) or 0
        return code & 0xFF in SQLITE_GONE  # the primary code of an extended one
    # psycopg: no SQLSTATE when the client could not connect or lost the connection
    state = getattr(orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in GONE_STATES


class Outage:
    """The database's reachability as its units of work find it (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None  # monotonic time of the first failure
        self._failures = 0

    @property
    def down(self) -> bool:
        """Whether the last attempt found the database unreachable."""
        return self._since is not None

    def failed(self, err: BaseException) -> bool:
        """Note a failed unit of work; True when it failed because the database is
        unreachable (the first such failure of an outage is logged)."""
        if not unreachable(err):
            return False
        with self._lock:
            self._failures += 1
            if self._since is not None:
                return True
            self._since = time.monotonic()
        logger.error(
            "database unreachable (%s): updates are refused or held for later, reminders and "
            "deliveries wait, until it answers again",
            _summary(err),
        )
        return True

    def answered(self) -> None:
        """A unit of work reached the database: an outage, if there was one, is over."""
        if self._since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            since, failures = self._since, self._failures
            self._since, self._failures = None, 0
        if since is not None:  # another thread may have said it already
            logger.warning(
                "database reachable again after %.1f s (%d attempts failed meanwhile)",
                time.monotonic() - since,
                failures,
            )


def _summary(err: BaseException) -> str:
    """The driver's first line of the error, without SQLAlchemy's background links."""
    orig = getattr(err, "orig", None) or err
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{type(orig).__name__}: {first}"[:200]
