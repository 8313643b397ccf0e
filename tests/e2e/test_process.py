"""The real `taizhang run` process: killed with SIGKILL and restarted, it sends no duplicates."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import read_campaign_file
from bot.config import Settings
from bot.localapi import LocalBotApi
from storage import campaigns, chats
from storage.audit import Stamp
from storage.db import Database
from storage.models import Deadline, OutboxMessage

TAIZHANG = str(Path(sys.executable).parent / "taizhang")
CAMPAIGN = "name: 进程测试\nyear: 2026\nunits: [甲县, 乙县]\nreminders: [6s, 3s]\n"


class Process:
    """`taizhang run` against the local Bot API."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> subprocess.Popen[str]:
        self.proc = subprocess.Popen(
            [TAIZHANG, "run"],
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return self.proc

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
async def world(
    tmp_path: Path,
) -> AsyncIterator[tuple[LocalBotApi, Database, dict[str, str], list]]:
    api = LocalBotApi()
    base = await api.start()
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database.open(url)
    path = tmp_path / "c.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    groups = [api.group("甲县群"), api.group("乙县群")]
    now = datetime.now(UTC)
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(
            s, read_campaign_file(str(path), Settings(_env_file=None)), Stamp(now)
        )
        for group, name in zip(groups, ("甲县", "乙县"), strict=True):
            chat = chats.ensure_chat(
                s, chat_id=group["id"], kind="supergroup", title=group["title"]
            )
            chats.bind(s, chat, campaigns.unit_named(s, camp.id or 0, name).id or 0, Stamp(now))
        s.add(
            Deadline(
                campaign_id=camp.id or 0,
                deliverable="阶段总结",
                created_at=now,
                due_at=now + timedelta(seconds=10),
                from_file=False,
            )
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TAIZHANG_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=base,
        DATABASE_URL=url,
        TAIZHANG_PLANNER_INTERVAL="0.2",
        TAIZHANG_DELIVERY_INTERVAL="0.1",
    )
    yield api, db, env, groups
    await api.stop()
    db.engine.dispose()


async def wait_for(condition, timeout: float = 20) -> None:
    """Poll a condition on the database (the bot is another process)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise TimeoutError
        await asyncio.sleep(0.05)


async def test_sigkill_and_restart_send_nothing_twice(world) -> None:
    api, db, env, groups = world
    first, second = Process(env), Process(env)
    first.start()
    try:
        await api.until(lambda: all(len(api.bot_messages(g)) >= 1 for g in groups), timeout=20)

        def sent() -> int:
            with db.unit_of_work() as s:
                return len(
                    s.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).all()
                )

        await wait_for(lambda: sent() >= 2)
        first.kill()
        second.start()
        await api.until(lambda: all(len(api.bot_messages(g)) >= 3 for g in groups), timeout=20)
        await wait_for(lambda: sent() >= 6)
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


async def test_a_second_process_on_one_sqlite_file_refuses_to_start(world) -> None:
    api, _, env, _ = world
    first, second = Process(env), Process(env)
    first.start()
    try:
        await api.until(lambda: api.requests["getUpdates"] >= 1, timeout=20)
        proc = second.start()
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 2
        assert "SQLite 只允许一个进程运行" in err and "Traceback" not in err
    finally:
        first.kill()
        second.kill()
