"""Real `taizhang run` processes against the local Bot API, and a campaign world for them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlmodel import func, select

from bot.config import Settings
from bot.sandbox.api import LocalBotApi
from bot.serve.campaign_file import read_campaign_file
from storage import campaigns, chats
from storage.audit import Stamp
from storage.db import Database
from storage.models import Deadline, OutboxMessage
from tests.hours import midday_zone
from tests.pgserver import free_port

TAIZHANG = str(Path(sys.executable).parent / "taizhang")
SECRET = "s3cret-token_for-tests"
PUBLIC_URL = "https://bot.example.gov.cn/telegram/hook"


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`taizhang ARGS` at the console, in `cwd`, with only the given settings of ours."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "TAIZHANG_", "DATABASE_"))
    }
    return subprocess.run(
        [TAIZHANG, *args], cwd=cwd, env={**clean, **env}, text=True, capture_output=True, timeout=60
    )


class BotProcess:
    """`taizhang run …` as a child process; its log goes to a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.env, self.log, self.args = env, log, args
        self.proc: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    @classmethod
    def webhook(cls, env: dict[str, str], log: Path) -> BotProcess:
        """A process serving the webhook on a port of its own."""
        port = free_port()
        proc = cls(env, log, "--webhook", "--listen", f"127.0.0.1:{port}", "--url", PUBLIC_URL)
        proc.port = port
        return proc

    @property
    def backend(self) -> str:
        """Where the reverse proxy sends this process its share of the updates."""
        return f"http://127.0.0.1:{self.port}/telegram/hook"

    def start(self) -> BotProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [TAIZHANG, "run", *self.args], env=self.env, stdout=out, stderr=out
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> int | None:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode if self.proc else None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def health(self) -> dict[str, Any] | None:
        """The health endpoint's answer, or None while nothing listens."""
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{self.port}/healthz") as resp,
            ):
                return {"http_status": resp.status, **(await resp.json())}
        except aiohttp.ClientConnectionError:
            return None

    async def ready(self, timeout: float = 30) -> dict[str, Any]:
        """Wait until the health endpoint answers 200."""
        answer: dict[str, Any] | None = None

        async def ok() -> bool:
            nonlocal answer
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"the bot exited: {self.output()[-2000:]}")
            answer = await self.health()
            return answer is not None and answer["http_status"] == 200

        await wait_until(ok, timeout)
        assert answer is not None
        return answer


async def second_poller_output(db_url: str, tmp_path: Path) -> str:
    """Start a polling bot, then a second one on the same database; the second's output.

    The second must refuse: exit code 2, a clear message and no traceback.
    """
    api = LocalBotApi()
    base = await api.start()
    env = bot_env(api, base, db_url)
    first = BotProcess(env, tmp_path / "first.log").start()
    second = BotProcess(env, tmp_path / "second.log")
    try:
        # polled, not api.until: a long poll is only answered when its 10 s are up
        await wait_until(lambda: api.requests["getUpdates"] >= 1, timeout=30)
        assert second.start().proc is not None
        assert second.proc.wait(timeout=60) == 2
    finally:
        first.kill()
        second.kill()
        await api.stop()
    assert "Traceback" not in second.output()
    return second.output()


async def wait_until(condition: Callable[[], Any], timeout: float = 20) -> None:
    """Poll a condition (sync or async) that another process will make true."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > end:
            raise TimeoutError
        await asyncio.sleep(0.05)


def bot_env(api: LocalBotApi, base: str, db_url: str, **extra: str) -> dict[str, str]:
    """The environment of a bot process: this API, this database, fast planner ticks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TAIZHANG_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=base,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        DATABASE_URL=db_url,
        TAIZHANG_PLANNER_INTERVAL="0.2",
        TAIZHANG_DELIVERY_INTERVAL="0.1",
    )
    env.update(extra)
    return env


def campaign_with_groups(
    api: LocalBotApi, db: Database, tmp_path: Path, units: list[str], reminders: str
) -> tuple[int, list[dict[str, Any]]]:
    """A campaign of `units`, each with its own bound group; returns its id and the groups.

    Its time zone is one where it is midday now: the processes run on the wall clock, and
    their reminders must not wait for the end of quiet hours (see tests/hours.py).
    """
    path = tmp_path / "c.yaml"
    listing = ", ".join(units)
    text = (
        f"name: 进程测试\nyear: 2026\ntimezone: {midday_zone()}\n"
        f"units: [{listing}]\nreminders: [{reminders}]\n"
    )
    path.write_text(text, encoding="utf-8")
    now = datetime.now(UTC)
    groups = [api.group(f"{name}群") for name in units]
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(
            s, read_campaign_file(str(path), Settings(_env_file=None)), Stamp(now)
        )
        ids = {u.name: u.id or 0 for u in campaigns.units_of(s, camp.id or 0)}
        for group, name in zip(groups, units, strict=True):
            chat = chats.ensure_chat(
                s, chat_id=group["id"], kind="supergroup", title=group["title"]
            )
            chats.bind(s, chat, ids[name], Stamp(now))
    return camp.id or 0, groups


def add_deadline(db: Database, campaign_id: int, deliverable: str, due_in: timedelta) -> None:
    """A deadline `due_in` from now, added as an admin would."""
    now = datetime.now(UTC)
    with db.unit_of_work() as s:
        s.add(
            Deadline(
                campaign_id=campaign_id,
                deliverable=deliverable,
                created_at=now,
                due_at=now + due_in,
                from_file=False,
            )
        )


def outbox_count(db: Database, status: str = "sent") -> int:
    """How many notices in the outbox have that status (replies to people left aside)."""
    with db.unit_of_work() as s:
        stmt = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == status, OutboxMessage.kind == "notice")
        )
        return s.exec(stmt).one()
