"""End to end: a deadline moved with /deadline and a case given more time are planned again
for their new time, once per stage; what was waiting for the old time is withdrawn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from storage.models import Notification, OutboxMessage
from tests.harness import Harness, MakeWorld

CAMPAIGN = """
name: 改期测试
year: 2024
timezone: Asia/Shanghai
units: [甲县]
deadlines:
  - {due: "2024-01-12 23:00", deliverable: 整改情况报告}
reminders: [1d, 2h]
"""
CASES_ONLY = CAMPAIGN.split("deadlines:")[0] + "reminders: [1d, 2h]\n"


def beijing(text: str) -> datetime:
    """A moment written in Beijing time, as the bot's clock holds it (UTC)."""
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


@pytest.fixture
async def bot(
    request: pytest.FixtureRequest, db_url: str, tmp_path: Path
) -> AsyncIterator[Harness]:
    path = tmp_path / "campaign.yaml"
    path.write_text(getattr(request, "param", CAMPAIGN), encoding="utf-8")
    harness = Harness(db_url, template=str(path))  # starts Wednesday 10 Jan 2024, 10:00
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def move_deadline(bot: Harness, when: str) -> dict:
    """The admin moves the only deadline with /deadline → 修改1; returns the confirmation."""
    chat = bot.api.private(bot.admin)
    listing = await bot.command(chat, bot.admin, "/deadline")
    prompt = await bot.answer(await bot.press(listing, bot.admin, "修改1"), bot.admin, when)
    for _ in range(4):
        if "已保存" in prompt["text"]:
            return prompt
        label = next(
            b["text"]
            for row in prompt["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] in ("正确", "全部单位", "确认提交")
        )
        prompt = await bot.press(prompt, bot.admin, label)
    raise AssertionError(prompt["text"])


def reminders(bot: Harness, group: dict) -> list[str]:
    """The reminders and overdue notices the group got."""
    return [m["text"] for m in bot.api.bot_messages(group) if m["text"][0] in "⏰❗"]


async def test_a_deadline_moved_later_is_reminded_once_per_stage_at_its_new_time(
    bot: Harness, make_world: MakeWorld
) -> None:
    group = (await make_world(units=["甲县"])).group("甲县")
    bot.clock.at = beijing("2024-01-11 23:00")  # the one-day stage of 12 Jan 23:00 falls
    await bot.drained()  # in quiet hours: it waits in the outbox till 08:00
    with bot.db.unit_of_work() as s:
        assert s.exec(select(OutboxMessage.status).where(OutboxMessage.kind == "notice")).all() == [
            "pending"
        ]
    saved = await move_deadline(bot, "1月15日18:00")
    assert "1月15日（周一）18:00" in saved["text"]
    bot.clock.at = beijing("2024-01-12 08:00")
    await bot.drained()
    bot.clock.at = beijing("2024-01-12 23:00")  # the old due time: nothing
    await bot.drained()
    assert reminders(bot, group) == []
    for stage, left in (("2024-01-14 18:00", "还有1天"), ("2024-01-15 16:00", "还有2小时")):
        bot.clock.at = beijing(stage)
        got = await bot.api.next_message(group)
        assert left in got["text"] and "1月15日（周一）18:00" in got["text"], got["text"]
    bot.clock.at = beijing("2024-01-15 18:00")
    overdue = await bot.api.next_message(group)
    assert "已于1月15日（周一）18:00截止" in overdue["text"]
    bot.clock.at = beijing("2024-01-16 10:00")
    await bot.drained()
    assert len(reminders(bot, group)) == 3  # one per stage of the new time, nothing else
    with bot.db.unit_of_work() as s:
        rows = s.exec(select(OutboxMessage.status, Notification.key).join(Notification)).all()
    withdrawn = [key for status, key in rows if status == "withdrawn"]
    assert [k.split(":")[2] for k in withdrawn] == ["20240112T150000Z"]  # the held reminder
    assert {status for status, _ in rows} == {"sent", "withdrawn"}


async def test_a_deadline_moved_earlier_is_reminded_once_per_stage_at_its_new_time(
    bot: Harness, make_world: MakeWorld
) -> None:
    group = (await make_world(units=["甲县"])).group("甲县")
    bot.clock.at = beijing("2024-01-11 23:00")  # the one-day stage, sent in the morning
    await bot.drained()
    bot.clock.at = beijing("2024-01-12 08:00")
    first = await bot.api.next_message(group)
    assert "1月12日（周五）23:00" in first["text"]
    saved = await move_deadline(bot, "1月12日15:00")
    assert "1月12日（周五）15:00" in saved["text"]
    again = await bot.api.next_message(group)  # the one-day stage, for the new time
    assert "1月12日（周五）15:00" in again["text"] and "补发" not in again["text"]
    bot.clock.at = beijing("2024-01-12 13:00")
    two_hours = await bot.api.next_message(group)
    assert "还有2小时" in two_hours["text"] and "15:00" in two_hours["text"]
    bot.clock.at = beijing("2024-01-12 15:00")
    assert "已于1月12日（周五）15:00截止" in (await bot.api.next_message(group))["text"]
    bot.clock.at = beijing("2024-01-13 10:00")
    await bot.drained()
    assert len(reminders(bot, group)) == 4


@pytest.mark.parametrize("bot", [CASES_ONLY], indirect=True)
async def test_an_extended_case_is_reminded_and_escalated_at_its_new_time(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["甲县"], liaisons={"甲县": "李明"}, supervisors=["督办张"])
    group, li, sup = world.group("甲县"), world["李明"], world["督办张"]
    sup_chat = sup.private
    await bot.settle(sup_chat)
    done = await bot.command(sup_chat, sup, "/forward 甲县 安置房产权证办理")
    assert "1月12日（周五）18:00前反馈" in done["text"]
    posted = await bot.api.next_message(group)
    bot.clock.at = beijing("2024-01-12 09:00")
    morning = await bot.api.next_message(group)
    assert "ZB-0001" in morning["text"] and "1月12日（周五）18:00" in morning["text"]
    reason = await bot.press(posted, li, "申请延期")
    until = await bot.answer(reason, li, "需不动产登记中心配合")
    check = await bot.answer(until, li, "1月19日18:00")
    summary = await bot.press(check, li, "正确")
    await bot.press(summary, li, "确认提交")
    request = await bot.api.next_message(sup_chat)
    approved = await bot.press(request, sup, "同意")
    assert "新期限：1月19日（周五）18:00" in approved["text"]
    await bot.api.next_message(group)  # the unit hears of it too
    for old in ("2024-01-12 16:00", "2024-01-12 18:00", "2024-01-15 18:00"):
        bot.clock.at = beijing(old)  # the old reminder, 催办 and 督办: none
        await bot.drained()
    assert bot.api.unread(group) == [] and bot.api.unread(sup_chat) == []
    bot.clock.at = beijing("2024-01-19 09:00")
    assert "1月19日（周五）18:00" in (await bot.api.next_message(group))["text"]
    bot.clock.at = beijing("2024-01-19 16:00")
    assert "还有2小时" in (await bot.api.next_message(group))["text"]
    bot.clock.at = beijing("2024-01-19 18:00")
    escalated = await bot.api.next_message(sup_chat)
    assert escalated["text"].startswith("催办：甲县的转办件 ZB-0001")
    assert "1月19日（周五）18:00" in escalated["text"]
    bot.clock.at = beijing("2024-01-19 19:00")
    await bot.drained()
    assert bot.api.unread(group) == [] and bot.api.unread(sup_chat) == []
