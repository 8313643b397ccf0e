"""End to end: countdown reminders, submissions, the supervisors' list, 429s, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.serve.jobs import plan_once
from storage.models import OutboxMessage
from tests.harness import Harness, MakeWorld, on_campaign
from tests.processes import wait_until
from workflows.people.roles import Role

CAMPAIGN = """
name: 测试专项整治
year: 2024
timezone: Asia/Shanghai
units: [甲县, 乙县, 丙县]
deadlines:
  - {due: "2024-01-10 10:30", deliverable: 自查自纠阶段总结}
reminders: [20m, 10m]
"""


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with on_campaign(db_url, tmp_path / "campaign.yaml", CAMPAIGN) as harness:
        yield harness


def texts(bot: Harness, chat: dict) -> list[str]:
    return [m["text"] for m in bot.api.bot_messages(chat)]


async def test_reminders_reach_exactly_the_units_that_need_them(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["甲县", "乙县", "丙县"],
        liaisons={"乙县": "乙县联络员"},
        supervisors=["督办"],
        supervisors_group="专班群",
    )
    groups, li, sup = world.groups, world["乙县联络员"], world["督办"]
    sup_chat, sup_group = sup.private, world.supervisors_group

    # 乙县 submits with a note, by replying, before any reminder.
    yi = groups["乙县"]
    pick = await bot.command(yi, li, "/submit")
    material = await bot.press(pick, li, "自查自纠阶段总结（1月10日（周三）10:30）")
    summary_prompt = await bot.answer(material, li, "已报送纸质盖章件")
    assert "已收到" in summary_prompt["text"]
    summary = await bot.press(summary_prompt, li, "完成")
    assert "按时报送" in summary["text"]
    confirmed = await bot.press(summary, li, "确认提交")
    assert "乙县已报送“自查自纠阶段总结”（按时报送）" in confirmed["text"]

    jia, bing = groups["甲县"], groups["丙县"]
    bot.clock.at = datetime(2024, 1, 10, 2, 10, tzinfo=UTC)  # 10:10, the 20-minute stage
    first = [await bot.api.next_message(jia), await bot.api.next_message(bing)]
    assert all("还有20分钟" in m["text"] and "自查自纠阶段总结" in m["text"] for m in first)
    assert first[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "立即报送"

    bot.api.fail_next("sendMessage", 429, retry_after=1, count=2)  # Telegram says: slow down
    bot.clock.at = datetime(2024, 1, 10, 2, 20, tzinfo=UTC)  # 10:20, the 10-minute stage
    second = [await bot.api.next_message(jia), await bot.api.next_message(bing)]
    assert all("还有10分钟" in m["text"] for m in second)

    bot.clock.at = datetime(2024, 1, 10, 2, 30, tzinfo=UTC)  # 10:30, the deadline
    overdue = [await bot.api.next_message(jia), await bot.api.next_message(bing)]
    assert all("已于1月10日（周三）10:30截止" in m["text"] for m in overdue)
    listed = [await bot.api.next_message(sup_chat), await bot.api.next_message(sup_group)]
    assert all(m["text"].endswith("未报送：甲县、丙县") for m in listed)

    bot.clock.at = datetime(2024, 1, 11, 1, 0, tzinfo=UTC)  # Thursday 09:00: the digest
    digest = await bot.api.next_message(sup_chat)
    assert "第1个工作日" in digest["text"] and "甲县、丙县" in digest["text"]
    await bot.api.next_message(sup_group)

    await bot.restart()
    assert plan_once(bot.services()) == 0  # everything due was planned once already
    in_group = await bot.command(jia, bot.admin, "/deadlines")  # the restarted bot is alive
    assert in_group["text"].endswith("（已逾期22小时30分）— 逾期")  # this group's unit
    overall = await bot.command(bot.api.private(bot.admin), bot.admin, "/deadlines")
    assert "— 已报送1/3" in overall["text"]
    assert [t for t in texts(bot, yi) if "截止" in t and "⏰" in t] == []  # 乙县: no reminder
    for group in (jia, bing):
        reminders = [t for t in texts(bot, group) if t.startswith("⏰")]
        assert (
            len(reminders) == 2 and len([t for t in texts(bot, group) if t.startswith("❗")]) == 1
        )


async def test_missing_and_deadlines_for_supervisors(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(supervisors=["督办"], people=["甲"])
    sup = world["督办"]
    chat = sup.private
    reply = await bot.command(chat, sup, "/missing")
    assert "未报送3个：甲县、乙县、丙县" in reply["text"]
    liaison = world["甲"].grant(Role.LIAISON, "甲县")
    denied = await bot.command(bot.api.private(liaison), liaison, "/missing")
    assert "没有使用 /missing 的权限" in denied["text"]
    own = await bot.command(bot.api.private(liaison), liaison, "/deadlines")
    assert "自查自纠阶段总结：1月10日（周三）10:30前（还有30分钟）— 未报送" in own["text"]


async def test_an_admin_sets_a_deadline_and_cancels_it(bot: Harness) -> None:
    chat = bot.api.private(bot.admin)
    summary = await bot.command(chat, bot.admin, "/deadline 1月12日18:00 整改情况报告")
    scope = summary
    assert "适用于哪些单位" in scope["text"]
    ask_units = await bot.press(scope, bot.admin, "部分单位")
    wrong = await bot.answer(ask_units, bot.admin, "甲县、丁县")
    assert "未找到单位：丁县" in wrong["text"]
    summary = await bot.answer(wrong, bot.admin, "甲县 丙县")
    assert "截止：1月12日（周五）18:00（还有2天8小时）" in summary["text"]
    assert "范围：甲县、丙县" in summary["text"]
    saved = await bot.press(summary, bot.admin, "确认提交")
    assert "已保存" in saved["text"]
    listing = await bot.command(chat, bot.admin, "/deadline")
    assert "2. 整改情况报告：1月12日（周五）18:00前" in listing["text"]
    confirm = await bot.press(listing, bot.admin, "取消2")
    cancelled = await bot.press(confirm, bot.admin, "确认提交")
    assert cancelled["text"] == "已取消报送节点“整改情况报告”。"
    past = await bot.command(chat, bot.admin, "/deadline 2023年1月1日 旧材料")
    assert "已经过去" in past["text"]


async def test_a_group_that_removed_the_bot_is_reported_once(
    bot: Harness, make_world: MakeWorld
) -> None:
    jia = (await make_world(units=["甲县"])).group("甲县")
    admin_chat = bot.api.private(bot.admin)
    bot.api.kicked.add(jia["id"])
    bot.clock.at = datetime(2024, 1, 10, 2, 10, tzinfo=UTC)
    report = await bot.api.next_message(admin_chat)
    assert "无法在“甲县联络群”发送消息" in report["text"]
    bot.clock.at = datetime(2024, 1, 10, 2, 20, tzinfo=UTC)
    await bot.drained()
    with bot.db.unit_of_work() as s:
        rows = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == jia["id"], OutboxMessage.kind == "notice"
            )
        ).all()
    assert [r.status for r in rows] == ["failed", "failed"]
    assert all("kicked" in r.last_error for r in rows)
    assert bot.api.unread(admin_chat) == []  # reported once, not at every failure


async def test_a_reminder_still_waiting_when_its_unit_submits_is_not_sent(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["甲县", "乙县", "丙县"], liaisons={"甲县": "甲县联络员"})
    jia, li = world.groups["甲县"], world["甲县联络员"]
    bot.api.fail_next("sendMessage", 500, count=1)  # the reminder's first try fails: it waits
    bot.clock.at = datetime(2024, 1, 10, 2, 10, tzinfo=UTC)  # 10:10, the 20-minute stage
    await bot.api.until(lambda: bot.api.requests["sendMessage"] >= 1)
    for group in (world.groups["乙县"], world.groups["丙县"]):  # the others are reminded
        assert "还有20分钟" in (await bot.api.next_message(group))["text"]

    pick = await bot.command(jia, li, "/submit")
    material = await bot.press(pick, li, "自查自纠阶段总结（1月10日（周三）10:30）")
    summary = await bot.press(await bot.answer(material, li, "已报送纸质盖章件"), li, "完成")
    confirmed = await bot.press(summary, li, "确认提交")
    assert "甲县已报送“自查自纠阶段总结”" in confirmed["text"]

    bot.clock.at = datetime(2024, 1, 10, 2, 12, tzinfo=UTC)  # its retry is due
    with bot.db.unit_of_work() as s:
        reminders = [
            r
            for r in s.exec(select(OutboxMessage))
            if r.chat_id == jia["id"] and r.kind == "notice"
        ]
    assert [r.status for r in reminders] == ["pending"]

    def settled() -> bool:
        with bot.db.unit_of_work() as s:
            return s.get(OutboxMessage, reminders[0].id).status != "pending"

    await wait_until(settled)
    with bot.db.unit_of_work() as s:
        assert s.get(OutboxMessage, reminders[0].id).status == "withdrawn"
    assert [t for t in texts(bot, jia) if t.startswith("⏰")] == []
