"""Two bot processes in webhook mode on one PostgreSQL database behave as one bot.

These run on PostgreSQL whichever database the rest of the suite uses: several processes
are what PostgreSQL is for (on SQLite a second process refuses, see
tests/e2e/running/test_admin_restarts_a_killed_bot.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox.api import LocalBotApi
from storage.db import Database
from storage.models import AuditEvent, OutboxMessage, Person
from tests import pgserver
from tests.processes import (
    BotProcess,
    add_deadline,
    bot_env,
    campaign_with_groups,
    outbox_count,
    second_poller_output,
    wait_until,
)


@dataclass
class Pair:
    api: LocalBotApi
    db: Database
    first: BotProcess
    second: BotProcess
    campaign_id: int
    groups: list[dict]


async def start_pair(
    api: LocalBotApi, env: dict[str, str], tmp_path: Path
) -> tuple[BotProcess, BotProcess]:
    """The first process starts and takes the planner's lease; then the second starts."""
    first = BotProcess.webhook(env, tmp_path / "first.log")
    second = BotProcess.webhook(env, tmp_path / "second.log")
    api.hook.backends = [first.backend, second.backend]  # the reverse proxy, round robin
    first.start()
    await first.ready()
    await wait_until(lambda: planner_of(first))
    second.start()
    await second.ready()
    return first, second


async def planner_of(proc: BotProcess) -> bool:
    """Whether the process says, on its health endpoint, that it holds the planner's lease."""
    return bool((await proc.health() or {}).get("planner"))


@pytest.fixture
async def pair(request: pytest.FixtureRequest, tmp_path: Path, pg_url: str) -> AsyncIterator[Pair]:
    units, reminders, claim = request.param
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(pg_url)
    camp, groups = campaign_with_groups(api, db, tmp_path, units, reminders)
    env = bot_env(api, base, pg_url, TAIZHANG_CLAIM_TIMEOUT=claim)
    first, second = await start_pair(api, env, tmp_path)
    try:
        yield Pair(api, db, first, second, camp, groups)
    finally:
        first.kill()
        second.kill()
        await api.stop()
        db.engine.dispose()


def sent_by_group(pair: Pair) -> dict[int, list[str]]:
    return {g["id"]: [m["text"] for m in pair.api.bot_messages(g)] for g in pair.groups}


@pytest.mark.parametrize("pair", [(["甲县"], "3d", "60")], indirect=True)
async def test_a_registration_alternating_between_processes_completes(pair: Pair) -> None:
    api, group = pair.api, pair.groups[0]
    li = api.user(601, "李明")
    await api.send(group, li, "/register")
    prompt = await api.next_message(group, timeout=20)
    for answer in ("李明", "综治办副主任", "13800000000"):
        await api.reply(prompt, li, answer)
        prompt = await api.next_message(group, timeout=20)
    assert "李明" in prompt["text"] and "综治办副主任" in prompt["text"]
    # the confirmation pressed twice at once: one press reaches each process
    api.hook.parallel = 2
    await api.press(prompt, li, "确认提交")
    await api.press(prompt, li, "确认提交")
    done = await api.next_message(group, timeout=20)
    assert "已登记" in done["text"]
    await wait_until(lambda: len(api.callback_answers) == 2)
    await asyncio.sleep(0.5)  # proving an absence: no second confirmation comes
    assert sum("已登记" in m["text"] for m in api.bot_messages(group)) == 1
    with pair.db.unit_of_work() as s:
        person = s.exec(select(Person).where(Person.user_id == 601)).one()
        assert (person.name, person.phone) == ("李明", "13800000000")
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "roster.register")).all()
        assert len(events) == 1
    posts = api.hook.posts
    assert posts[pair.first.backend] >= 3 and posts[pair.second.backend] >= 3, posts


UNITS = [f"第{i:03d}县" for i in range(250)]


@pytest.mark.parametrize("pair", [(UNITS, "58s, 56s", "60")], indirect=True)
async def test_500_reminders_planned_while_both_run_are_each_sent_once(pair: Pair) -> None:
    add_deadline(pair.db, pair.campaign_id, "阶段总结", timedelta(seconds=61))
    await wait_until(lambda: outbox_count(pair.db) >= 500, timeout=120)
    await asyncio.sleep(1.0)  # proving an absence: several more planner and delivery passes
    assert outbox_count(pair.db) == 500
    for texts in sent_by_group(pair).values():
        assert len(texts) == 2 and all(t.startswith("⏰") for t in texts), texts
    with pair.db.unit_of_work() as s:
        workers = {r.claimed_by for r in s.exec(select(OutboxMessage))}
    assert len(workers) == 2  # both processes drained the outbox


@pytest.mark.parametrize("pair", [([f"{c}县" for c in "甲乙丙丁戊"], "8s, 3s", "2")], indirect=True)
async def test_the_planners_holder_killed_the_other_takes_over_and_nothing_is_lost(
    pair: Pair,
) -> None:
    assert not await planner_of(pair.second)
    add_deadline(pair.db, pair.campaign_id, "阶段总结", timedelta(seconds=12))
    await wait_until(lambda: outbox_count(pair.db) >= 5, timeout=20)  # the first reminder
    pair.first.kill()
    killed = time.monotonic()
    await wait_until(lambda: planner_of(pair.second), timeout=60)
    takeover = time.monotonic() - killed
    # the second reminder and the overdue notice come due after the kill
    await wait_until(lambda: all(len(t) >= 3 for t in sent_by_group(pair).values()), timeout=30)
    await asyncio.sleep(1.0)
    for texts in sent_by_group(pair).values():
        assert [t[0] for t in texts] == ["⏰", "⏰", "❗"], texts
    assert outbox_count(pair.db) == 15 and outbox_count(pair.db, "sending") == 0
    assert takeover < 60
    print(f"planner lease taken over {takeover:.2f} s after SIGKILL")


async def test_a_second_polling_process_refuses_and_says_to_use_webhooks(
    tmp_path: Path, pg_url: str
) -> None:
    assert "taizhang run --webhook" in await second_poller_output(pg_url, tmp_path)


async def test_health_says_503_when_the_database_is_gone(
    tmp_path: Path, pg_server: str, pg_url: str
) -> None:
    api = LocalBotApi()
    base = await api.start()
    proc = BotProcess.webhook(bot_env(api, base, pg_url), tmp_path / "bot.log").start()
    try:
        assert (await proc.ready())["database"] == "ok"
        pgserver.drop_database(pg_server, pg_url)  # what a load balancer must notice
        answer = await proc.health()
        assert answer is not None and answer["http_status"] == 503
        assert answer["status"] == "unavailable"
    finally:
        proc.kill()
        await api.stop()
