"""The planner's lease and start-up migrations, with several processes on one PostgreSQL."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from storage.db import current_revision, head_revision, make_engine
from storage.lease import Lease
from tests.processes import TAIZHANG


def test_one_holder_at_a_time_and_the_next_takes_it_when_released(pg_url: str) -> None:
    engine = make_engine(pg_url)
    first, second = Lease(engine), Lease(engine)
    try:
        assert first.held() and first.holding
        assert not second.held() and not second.holding
        assert first.held()  # still its own at the next tick
        first.release()
        assert second.held()
        assert not first.held()
    finally:
        first.release()
        second.release()
        engine.dispose()


def test_the_jobs_of_one_process_may_ask_at_the_same_moment(pg_url: str) -> None:
    # the planner's, the hashes' and the imports' jobs each ask from a worker thread: the one
    # connection the lease is held on must not be used by two of them at once (the province
    # soak logged SQLAlchemy's AssertionError and PendingRollbackError when it was)
    engine = make_engine(pg_url)
    lease = Lease(engine)
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: lease.held(), range(400)))
        assert all(answers) and lease.held()
    finally:
        lease.release()
        engine.dispose()


def test_the_lease_is_free_when_its_holders_connection_dies(pg_url: str) -> None:
    engine = make_engine(pg_url)
    holder, other = Lease(engine), Lease(engine)
    try:
        assert holder.held()
        # what the server does when the holder's process dies; the timeout makes the call
        # wait until that backend has exited and so released its locks
        with engine.connect() as conn:
            conn.execute(
                text(
                    "select pg_terminate_backend(pid, 5000) from pg_stat_activity "
                    "where application_name = 'taizhang lease' and datname = current_database()"
                )
            )
        assert other.held()
        assert not holder.held()  # it notices the loss, and does not plan alongside
    finally:
        holder.release()
        other.release()
        engine.dispose()


def test_on_sqlite_the_only_process_always_holds_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert Lease(engine).held() and Lease(engine).held()


def test_processes_starting_at_once_migrate_one_at_a_time(
    empty_pg_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": empty_pg_url}
    procs = [
        subprocess.Popen(
            [TAIZHANG, "migrate"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    # without the lock, the CREATE TABLEs of one process race the other's and fail
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    engine = make_engine(empty_pg_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
