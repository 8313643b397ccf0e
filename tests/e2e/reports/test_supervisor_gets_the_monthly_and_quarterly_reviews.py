"""End to end: seed 003's 月调度季通报 on a schedule. The clock crosses a month's end into May
Day (1–5 May 2026 off) and a quarter's end into National Day (1–7 October off): each document
reaches the supervisor once, on the new period's first working day, and a restart in between
sends nothing twice."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from bot.serve.jobs import plan_once
from tests.harness import Harness, MakeWorld, on_campaign

BEIJING = ZoneInfo("Asia/Shanghai")
CAMPAIGN = """
name: 调度示例
year: 2026
units: [轮台县, 尉犁县]
phases: [{name: 攻坚推进阶段, text: 2月1日至12月31日}]
weekly_report: {weekday: 周一, time: "18:00", name: 工作台账}
cadences:
  月调度: true
  quarterly: {workday: 1, at: "10:00"}
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot on a campaign that asks for a monthly 调度 and a quarterly 通报."""
    async with on_campaign(
        db_url, tmp_path / "cadences.yaml", CAMPAIGN, start=at("2026-04-30 10:00")
    ) as harness:
        yield harness


def documents(bot: Harness, chat: dict[str, Any]) -> list[dict[str, Any]]:
    """The documents the bot sent into the chat since it was last read (and marks it read)."""
    sent = [m for m in bot.api.unread(chat) if "document" in m]
    bot.api.mark_read(chat)
    return sent


def title(message: dict[str, Any]) -> str:
    """The document's title: its second paragraph (after the campaign's head)."""
    texts = [p.text for p in Document(io.BytesIO(message["payload"])).paragraphs]
    return next(t for t in texts if t.startswith("关于"))


async def at_time(bot: Harness, text: str) -> None:
    """Move the clock and let the planner and the delivery run."""
    bot.clock.at = at(text)
    plan_once(bot.services())
    await bot.drained()


async def test_each_review_goes_once_on_the_periods_first_working_day(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县", "尉犁县"], supervisors=["督办赵"])
    chat = world["督办赵"].private
    await bot.settle(chat)
    bot.api.mark_read(chat)
    for day in ("2026-04-30 18:30", "2026-05-01 09:30", "2026-05-03 10:00", "2026-05-05 12:00"):
        await at_time(bot, day)  # April's last day, then May Day's holidays: nothing
        assert documents(bot, chat) == [], day
    await at_time(bot, "2026-05-06 08:59")
    assert documents(bot, chat) == []
    await at_time(bot, "2026-05-06 09:00")  # Wednesday 6 May, May's first working day
    april = documents(bot, chat)
    assert [m["document"]["file_name"] for m in april] == ["月调度通报-20260506.docx"]
    assert april[0]["caption"] == "调度示例2026年4月调度通报，请查阅附件。"
    assert title(april[0]) == "关于调度示例2026年4月调度情况的通报"
    await bot.restart()
    for day in ("2026-05-06 15:00", "2026-05-07 09:00", "2026-05-11 09:00"):
        await at_time(bot, day)
        assert documents(bot, chat) == [], day

    for day in ("2026-09-30 18:00", "2026-10-01 10:00", "2026-10-07 10:00"):
        await at_time(bot, day)  # the quarter's last day, then National Day: nothing
        assert documents(bot, chat) == [], day
    await at_time(bot, "2026-10-08 09:00")  # Thursday 8 October: September's 调度 alone
    september = documents(bot, chat)
    assert [title(m) for m in september] == ["关于调度示例2026年9月调度情况的通报"]
    await bot.restart()
    await at_time(bot, "2026-10-08 10:00")  # the quarter's 通报 from 10:00
    quarter = documents(bot, chat)
    assert [m["document"]["file_name"] for m in quarter] == ["季度通报-20261008.docx"]
    assert quarter[0]["caption"] == "调度示例2026年第3季度工作通报，请查阅附件。"
    assert title(quarter[0]).startswith("关于调度示例2026年第3季度")
    await bot.restart()
    await at_time(bot, "2026-10-09 10:00")
    assert documents(bot, chat) == []
    assert plan_once(bot.services()) == 0
