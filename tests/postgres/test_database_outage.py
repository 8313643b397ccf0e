"""A database that goes away and comes back under a running bot: nothing half-saved, no update
lost, the planner and the outbox resume by themselves, one log line each way.

Each test runs its own PostgreSQL server (it is stopped under the bot) and stops it with
`pg_ctl stop -m fast`, as an administrator or a crash would.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.sandbox.api import LocalBotApi
from storage import chats
from storage.db import Database
from storage.models import AuditEvent, Chat, OutboxMessage, Person
from storage.outage import unreachable
from tests.harness import Harness, build_world
from tests.pgserver import ThrowawayServer
from tests.processes import (
    BotProcess,
    add_deadline,
    bot_env,
    campaign_with_groups,
    outbox_count,
    wait_until,
)

GONE = "database unreachable"
BACK = "database reachable again"


async def answer_in(api: LocalBotApi, group: dict, timeout: float = 20) -> dict:
    """The bot's next message in the group that answers a person (reminders pass by)."""
    while True:
        message = await api.next_message(group, timeout=timeout)
        if not message["text"].startswith("⏰"):
            return message


def test_a_unit_of_work_cut_off_by_the_server_stopping_saves_nothing(
    own_server: ThrowawayServer, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database.open(own_server.url)
    caplog.set_level(logging.WARNING, logger="storage.outage")
    try:
        with pytest.raises(OperationalError) as raised, db.unit_of_work() as s:
            chats.ensure_chat(s, chat_id=-1001, kind="supergroup", title="甲县群")
            s.flush()  # written in the transaction, not committed
            own_server.halt()
        assert unreachable(raised.value) and db.outage.down
        for _ in range(3):  # each attempt fails; the outage is said once
            with pytest.raises(OperationalError), db.unit_of_work() as s:
                s.exec(select(Chat)).all()
        own_server.start_again()
        with db.unit_of_work() as s:
            assert s.exec(select(Chat)).all() == []  # rolled back with the session
        assert not db.outage.down
        said = [r.getMessage() for r in caplog.records]
        assert len(said) == 2 and said[0].startswith(GONE) and said[1].startswith(BACK), said
        assert "4 attempts failed meanwhile" in said[1]
    finally:
        db.engine.dispose()


def test_a_wrong_statement_is_no_outage(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(OperationalError) as raised, db.unit_of_work() as s:
        s.connection().exec_driver_sql("select * from no_such_table")
    assert not unreachable(raised.value) and not db.outage.down


async def test_webhook_updates_are_refused_while_the_database_is_away_then_processed_once(
    own_server: ThrowawayServer, tmp_path: Path
) -> None:
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(own_server.url)
    camp, groups = campaign_with_groups(api, db, tmp_path, ["甲县", "乙县"], "20s")
    env = bot_env(api, base, own_server.url)
    procs = [BotProcess.webhook(env, tmp_path / f"bot{i}.log") for i in (1, 2)]
    api.hook.backends = [p.backend for p in procs]  # the reverse proxy, round robin
    group, li = groups[0], api.user(601, "李明")
    try:
        for proc in procs:
            proc.start()
            await proc.ready()
        await api.send(group, li, "/register")
        prompt = await api.next_message(group, timeout=20)
        add_deadline(db, camp, "阶段总结", timedelta(seconds=30))  # its reminder: in 10 s
        stage = time.monotonic() + 10
        own_server.halt()
        for proc in procs:
            assert (await proc.health() or {}).get("http_status") == 503
        await api.reply(prompt, li, "李明")  # refused with 503 until the database is back
        await wait_until(lambda: api.hook.refused[503] >= 3, timeout=20)
        await asyncio.sleep(max(0.0, stage + 1 - time.monotonic()))  # the reminder falls due
        assert api.bot_messages(group)[-1] == prompt and not api.unread(groups[1])
        own_server.start_again()

        prompt = await answer_in(api, group, timeout=30)  # the reply, processed now
        assert "职务" in prompt["text"], prompt["text"]
        for answer in ("综治办副主任", "13800000000"):
            await api.reply(prompt, li, answer)
            prompt = await answer_in(api, group)
        await api.press(prompt, li, "确认提交")
        await api.until(lambda: "已登记" in api.bot_messages(group)[-1]["text"], timeout=20)
        # the reminder that fell due while the database was away: once in each group
        await wait_until(lambda: outbox_count(db) >= 2, timeout=30)
        await asyncio.sleep(1.0)  # proving an absence: several more planner and delivery ticks
        for g in groups:
            reminders = [m["text"] for m in api.bot_messages(g) if m["text"].startswith("⏰")]
            assert len(reminders) == 1, reminders
        assert outbox_count(db) == 2 and outbox_count(db, "sending") == 0
        texts = [m["text"] for m in api.bot_messages(group)]
        assert sum("请输入您的职务" in t for t in texts) == 1, texts
        assert sum("已登记" in t for t in texts) == 1
        with db.unit_of_work() as s:
            person = s.exec(select(Person).where(Person.user_id == 601)).one()
            assert (person.name, person.position) == ("李明", "综治办副主任")
            registered = s.exec(select(AuditEvent).where(AuditEvent.action == "roster.register"))
            assert len(registered.all()) == 1
        for proc in procs:
            log = proc.output()
            assert log.count(GONE) == 1 and log.count(BACK) == 1, log[-3000:]
            assert "Traceback" not in log and "error.internal" not in log
        assert not any("出现问题" in m["text"] for m in api.sent)  # no "error.internal"
    finally:
        for proc in procs:
            proc.kill()
        await api.stop()
        db.engine.dispose()


async def test_polling_holds_the_update_and_processes_it_once_the_database_is_back(
    own_server: ThrowawayServer, caplog: pytest.LogCaptureFixture
) -> None:
    bot = Harness(own_server.url)
    await bot.start()
    try:
        world = await build_world(bot, units=["轮台县"], liaisons={"轮台县": ["李明"]})
        group, li = world.group("轮台县"), world["李明"]
        prompt = await li.say(group, "/register")
        await bot.drained()  # the prompt noted as sent (a send in flight is the test below)
        caplog.set_level(logging.INFO)
        own_server.halt()
        # 30 January 18:05: the 7-day stage of seed 000's 2月6日18:00 deadline has come
        bot.clock.at = datetime(2024, 1, 30, 10, 5, tzinfo=UTC)
        await li.send(group, "李明", reply_to=prompt)
        gate = bot.app.bot_data["gate"] if bot.app else None
        await wait_until(lambda: gate is not None and gate.holding == 1, timeout=10)
        assert bot.services().db.outage.down
        await li.send(group, "/help")  # not fetched while the database is away
        await asyncio.sleep(1.0)
        assert bot.api.unfetched == 1 and bot.api.unread(group) == []
        own_server.start_again()

        asked = await answer_in(bot.api, group)
        assert "职务" in asked["text"], asked["text"]  # the held reply, processed once
        helped = await answer_in(bot.api, group)
        assert helped["text"].startswith("可用命令")  # then the next update, in order
        await bot.drained(timeout=20)
        texts = [m["text"] for m in bot.api.bot_messages(group)]
        assert sum("请输入您的职务" in t for t in texts) == 1
        assert sum(t.startswith("⏰") or "补发" in t for t in texts) == 1, texts
        assert not any("出现问题" in t for t in texts)  # no "error.internal"
        said = [r.getMessage() for r in caplog.records if r.name == "storage.outage"]
        assert len(said) == 2 and said[0].startswith(GONE) and said[1].startswith(BACK), said
        # (the local Bot API's own server may log the long poll the bot cut short)
        ours = ("bot", "storage", "telegram", "apscheduler")
        tracebacks = [r for r in caplog.records if r.exc_info and r.name.startswith(ours)]
        assert not tracebacks, "no traceback while the database was away"
    finally:
        await bot.stop()


async def test_a_send_made_as_the_database_went_away_is_recorded_after_and_not_sent_again(
    own_server: ThrowawayServer,
) -> None:
    bot = Harness(own_server.url)
    await bot.start()
    try:
        group = (await build_world(bot, units=["轮台县"])).group("轮台县")
        halted: list[int] = []

        def halt_while_telegram_takes_it(kind: str, event: dict) -> None:
            if kind == "message" and event["text"].startswith("⏰") and not halted:
                halted.append(event["message_id"])
                own_server.halt()  # Telegram has it; the bot cannot write that down

        bot.api.listeners.append(halt_while_telegram_takes_it)
        bot.clock.at = datetime(2024, 1, 30, 10, 5, tzinfo=UTC)  # the 7-day stage is due
        await wait_until(lambda: bool(halted), timeout=20)
        await asyncio.sleep(1.5)
        own_server.start_again()
        await bot.drained(timeout=20)
        bot.clock.advance(minutes=5)  # past the claim's hold: a send left unrecorded goes again
        await bot.drained(timeout=20)
        sent = [m for m in bot.api.bot_messages(group) if m["text"].startswith("⏰")]
        assert [m["message_id"] for m in sent] == halted
        with bot.database().unit_of_work() as s:
            row = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).one()
            assert (row.status, row.telegram_message_id) == ("sent", halted[0])
    finally:
        await bot.stop()
