"""The real `taizhang run` process: killed with SIGKILL and restarted, it sends no duplicates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox.api import LocalBotApi
from storage.db import Database
from storage.models import OutboxMessage
from tests.processes import (
    BotProcess,
    add_deadline,
    bot_env,
    campaign_with_groups,
    outbox_count,
    second_poller_output,
    wait_until,
)


@pytest.fixture
async def world(
    tmp_path: Path, db_url: str
) -> AsyncIterator[tuple[LocalBotApi, Database, dict[str, str], list]]:
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(db_url)
    # the stages 6 s and 18 s after the start, the deadline at 30 s: a process started again
    # on a busy machine (seconds) is up before the second stage falls due
    camp, groups = campaign_with_groups(api, db, tmp_path, ["甲县", "乙县"], "24s, 12s")
    add_deadline(db, camp, "阶段总结", timedelta(seconds=30))
    yield api, db, bot_env(api, base, db_url), groups
    await api.stop()
    db.engine.dispose()


async def test_sigkill_and_restart_send_nothing_twice(world, tmp_path: Path) -> None:
    api, db, env, groups = world
    first = BotProcess(env, tmp_path / "first.log")
    second = BotProcess(env, tmp_path / "second.log")
    first.start()
    try:
        await api.until(lambda: all(len(api.bot_messages(g)) >= 1 for g in groups), timeout=20)
        await wait_until(lambda: outbox_count(db) >= 2)
        first.kill()
        second.start()
        await api.until(lambda: all(len(api.bot_messages(g)) >= 3 for g in groups), timeout=60)
        await wait_until(lambda: outbox_count(db) >= 6)
        # Proving an absence: let the new process make several more planner passes (0.2 s
        # apart) after the deadline, then count. Nothing here waits for a reminder to come.
        await asyncio.sleep(1.5)
    finally:
        first.kill()
        second.kill()
    for group in groups:
        texts = [m["text"] for m in api.bot_messages(group)]
        assert len(texts) == 3, texts
        assert [t[0] for t in texts] == ["⏰", "⏰", "❗"]
    with db.unit_of_work() as s:
        statuses = [r.status for r in s.exec(select(OutboxMessage))]
    assert statuses == ["sent"] * 6


async def test_a_second_process_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    Database.open(url).engine.dispose()
    assert "SQLite 只允许一个进程运行" in await second_poller_output(url, tmp_path)
