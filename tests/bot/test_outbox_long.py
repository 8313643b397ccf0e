"""A notification longer than Telegram takes (a catch-up or a digest at a province's size) goes
out as several messages in order, the buttons on the last, instead of failing for good."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select
from telegram.ext import ExtBot

from bot.config import Settings
from bot.delivery.enqueue import enqueue
from bot.delivery.sending import deliver_once
from bot.sandbox.api import LocalBotApi
from bot.telegram.budget import ChatBudget, Limits
from bot.telegram.services import Services
from locales import Translator
from storage.db import Database
from storage.models import OutboxMessage
from workflows.message_pieces import PIECE_LIMIT
from workflows.messages import Lines, msg
from workflows.planner import Planned

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing


async def test_a_notification_too_long_for_one_message_arrives_whole_in_order(
    db: Database,
) -> None:
    api = LocalBotApi()  # refuses a text over 4096 characters, as Telegram does
    base = await api.start()
    group = api.group("自治州专班督办群")
    services = Services(
        db,
        Settings(_env_file=None, telegram_bot_token=api.token),  # type: ignore[call-arg]
        Translator.load(strict=True),
        lambda: NOW,
    )
    units = [
        f"第{n}单位（逾期{n % 9 + 1}项，最早办结时间已过{n % 30 + 1}个工作日）" for n in range(400)
    ]
    long = msg("notify.catchup", count=len(units), items=Lines(units))
    planned = Planned(
        "catchup:test", "catchup", group["id"], long, NOW, ((msg("help.title"), "x:1"),)
    )
    with db.unit_of_work() as session:
        assert enqueue(services, session, [planned], CST, NOW) == 1
    wide = ChatBudget(Limits(group=(10**6, 1.0), private=(10**6, 1.0), overall=(10**6, 1.0)))
    bot = ExtBot(api.token, base_url=base, rate_limiter=wide)
    await bot.initialize()
    try:
        while await deliver_once(bot, services):
            pass
    finally:
        await bot.shutdown()
        await api.stop()
    sent = api.bot_messages(group)
    assert len(sent) > 3 and all(len(m["text"]) <= PIECE_LIMIT for m in sent)
    said = "\n".join(m["text"] for m in sent)
    assert [u for u in units if u in said] == units  # every line, once, in order
    assert said.index(units[0]) < said.index(units[-1])
    assert [bool(m.get("reply_markup")) for m in sent] == [False] * (len(sent) - 1) + [True]
    with db.unit_of_work() as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"sent"} and len(rows) == len(sent)
