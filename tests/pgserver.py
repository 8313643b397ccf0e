"""A throwaway PostgreSQL server for tests and benchmarks, and a fresh database per test.

CI starts its own server and sets TAIZHANG_TEST_POSTGRES_URL; without it, a server is
started from the Debian binaries in a temporary directory and removed afterwards (and without
those, the tests that need one are skipped: `tests/tools.py`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.tools import PG_CTL, POSTGRES, require

ENV_URL = "TAIZHANG_TEST_POSTGRES_URL"
# one template per pytest-xdist worker: a database being copied cannot be copied by another
TEMPLATE = "taizhang_template" + os.environ.get("PYTEST_XDIST_WORKER", "")


def _binaries() -> Path:
    found = PG_CTL.path()
    if found:
        return Path(found).resolve().parent
    raise RuntimeError(
        "PostgreSQL server binaries not found: install them (apt-get install postgresql) "
        f"or set {ENV_URL} to a server's URL"
    )


def require_server() -> None:
    """In a test: skip it (fail it under TAIZHANG_TEST_STRICT=1) when no server is named and
    none can be started here."""
    if not os.environ.get(ENV_URL):
        require(POSTGRES)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayServer:
    """`initdb` into a temporary directory, `pg_ctl start` on 127.0.0.1, removed on stop."""

    def __init__(self) -> None:
        self.bin = _binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="taizhang-pg-"))
        self.port = free_port()
        # initdb refuses to run as root: use the postgres account the Debian package made
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None

    def _run(self, *args: str, check: bool = True) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=check, capture_output=True)

    @property
    def data(self) -> str:
        return str(self.dir / "data")

    @property
    def url(self) -> str:
        """The URL of its `postgres` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> str:
        """Create the cluster and start the server; returns its URL."""
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        self._run(
            "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        self.start_again()
        return self.url

    def start_again(self) -> None:
        """Start the server (after `halt`), and wait until it accepts connections."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c max_connections=300"
        options += (
            " -c track_commit_timestamp=on"  # the province soak reads when rows were committed
        )
        log = str(self.dir / "log")
        self._run("pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "start")

    def halt(self) -> None:
        """`pg_ctl stop -m fast`: every session is ended, open transactions roll back."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`, as an administrator restarts the database."""
        log = str(self.dir / "log")  # without it the server would keep pg_ctl's output open
        self._run("pg_ctl", "-D", self.data, "-l", log, "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop", check=False)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def server(url: str | None = None) -> Iterator[str]:
    """The server at `url`, or else (no URL, nor TAIZHANG_TEST_POSTGRES_URL) a throwaway one."""
    url = url or os.environ.get(ENV_URL)
    if url:
        yield url
        return
    throwaway = ThrowawayServer()
    try:
        yield throwaway.start()
    finally:
        throwaway.stop()


@contextmanager
def database(server_url: str, template: str = TEMPLATE) -> Iterator[str]:
    """A fresh database copied from `template`, dropped when the block ends."""
    url = create_database(server_url, template)
    try:
        yield url
    finally:
        drop_database(server_url, url)


def _admin(server_url: str) -> Engine:
    return create_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)


def prepare_template(server_url: str) -> None:
    """Create a migrated template database that each test's database is copied from."""
    from storage.db import make_engine, migrate

    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE}"))
    admin.dispose()
    engine = make_engine(database_url(server_url, TEMPLATE))
    migrate(engine)
    engine.dispose()


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on that server."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def create_database(server_url: str, template: str = TEMPLATE) -> str:
    """A fresh database copied from `template` (by default the migrated one); its URL."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return database_url(server_url, name)


def drop_database(server_url: str, url: str) -> None:
    """Drop a test's database, closing whatever connections are still open."""
    name = make_url(url).database
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
