"""End to end: a supervisor's /notice with its 已阅 button, read once per unit, refused to
others; the unit that has not read it reminded once in working hours, then the supervisors told."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import select

from bot.serve.jobs import plan_once
from storage.models import NoticeReceipt, Notification
from tests.harness import Harness, MakeWorld, on_campaign

CAMPAIGN = """
name: 测试专项整治
year: 2024
timezone: Asia/Shanghai
units: [甲县, 乙县, 丙县]
deadlines:
  - {due: "2024-03-01 18:00", deliverable: 阶段总结}
reminders: [1d]
"""
THURSDAY_10 = datetime(2024, 1, 11, 2, 0, tzinfo=UTC)  # Thursday 11 January, 10:00 in Beijing


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with on_campaign(
        db_url, tmp_path / "campaign.yaml", CAMPAIGN, start=THURSDAY_10
    ) as harness:
        yield harness


def planned(bot: Harness, kind: str) -> list[int]:
    """The chats notifications of this kind were planned for, in order."""
    with bot.database().unit_of_work() as s:
        rows = s.exec(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
        return [int(r.payload["chat_id"]) for r in rows]


def receipts(bot: Harness) -> list[NoticeReceipt]:
    with bot.database().unit_of_work() as s:
        return list(s.exec(select(NoticeReceipt)))


async def test_a_notice_is_read_once_per_unit_and_the_late_unit_climbs_the_ladder(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["甲县", "乙县", "丙县"],
        liaisons={"甲县": ["张三", "李四"], "乙县": "王五", "丙县": "赵六"},
        supervisors=["督办"],
        people=["路人"],
        supervisors_group="专班群",
    )
    groups, sup = world.groups, world["督办"]
    await bot.settle(sup.private, world.supervisors_group)

    sent = await bot.command(sup.private, sup, "/notice 请于1月19日前报送整改台账")
    assert "已发送至3个单位" in sent["text"]
    posted = {u: await bot.api.next_message(groups[u]) for u in ("甲县", "乙县", "丙县")}
    assert all("请于1月19日前报送整改台账" in m["text"] for m in posted.values())
    jia = posted["甲县"]
    assert jia["reply_markup"]["inline_keyboard"][0][0]["text"] == "已阅"

    # 甲县 reads it: the first press is recorded, the second (another liaison) is not
    first = await bot.tap(jia, world["张三"], "已阅")
    assert first.startswith("甲县已阅，已记录")
    again = await bot.tap(jia, world["李四"], "已阅")
    assert again == "已阅（张三 1月11日（周四）10:00）"
    # others are refused in words, and nothing is recorded for them
    assert await bot.tap(jia, world["王五"], "已阅") == "只有甲县的联络员可以点“已阅”。"
    assert "联络员" in await bot.tap(jia, world["路人"], "已阅")
    assert "联络员" in await bot.tap(jia, sup, "已阅")
    forged = await bot.api.press(jia, world["张三"], data="a:read:9999")
    await bot.api.until(
        lambda: any(a["callback_query_id"] == forged for a in bot.api.callback_answers)
    )
    assert [(r.unit_id, r.by_user_id) for r in receipts(bot)] == [(1, world["张三"]["id"])]
    # a press changes no message in the group: nothing was sent or edited there
    assert [m["text"] for m in bot.api.bot_messages(groups["甲县"])][-1] == jia["text"]

    bot.clock.at = datetime(2024, 1, 12, 9, 0, tzinfo=UTC)  # Friday 17:00: 乙县 reads it
    assert (await bot.tap(posted["乙县"], world["王五"], "已阅")).startswith("乙县已阅")

    # 丙县 has not read it by Friday 18:00, the end of the next working day: nothing on the
    # weekend, nothing on Monday before 09:00
    for moment in (
        datetime(2024, 1, 12, 11, 0, tzinfo=UTC),  # Friday 19:00
        datetime(2024, 1, 13, 3, 0, tzinfo=UTC),  # Saturday 11:00
        datetime(2024, 1, 15, 0, 30, tzinfo=UTC),  # Monday 08:30
    ):
        bot.clock.at = moment
        plan_once(bot.services())
        assert planned(bot, "notice.remind") == []

    bot.clock.at = datetime(2024, 1, 15, 1, 0, tzinfo=UTC)  # Monday 09:00: one reminder to 丙县
    reminder = await bot.api.next_message(groups["丙县"])
    assert "丙县" in reminder["text"] and "尚未确认已阅" in reminder["text"]
    assert reminder["reply_markup"]["inline_keyboard"][0][0]["text"] == "已阅"
    bot.clock.at = datetime(2024, 1, 15, 5, 0, tzinfo=UTC)  # Monday 13:00: not again
    plan_once(bot.services())
    assert planned(bot, "notice.remind") == [groups["丙县"]["id"]]
    assert planned(bot, "notice.unread") == []

    bot.clock.at = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # Monday 18:00: the supervisors
    told = await bot.api.next_message(world.supervisors_group)
    assert "以下1个单位" in told["text"] and told["text"].endswith("丙县")

    await bot.settle(sup.private)  # told there too: not seen in the supervisors' group
    status = await bot.command(sup.private, sup, "/notice")
    assert "已阅2/3" in status["text"]
    assert "✓ 甲县：张三 1月11日（周四）10:00已阅" in status["text"]
    assert "✗ 丙县：未阅（自1月11日（周四）10:00起）" in status["text"]


async def test_a_liaison_may_not_send_a_notice(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["甲县"], liaisons={"甲县": "张三"})
    li = world["张三"]
    denied = await bot.command(bot.api.private(li), li, "/notice 开会")
    assert "没有使用 /notice 的权限" in denied["text"]
    assert planned(bot, "notice.notice") == []


async def test_the_circular_goes_to_every_unit_as_a_notice_and_the_next_lists_late_readers(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["甲县", "乙县", "丙县"],
        liaisons={"甲县": "张三", "乙县": "王五"},
        supervisors=["督办"],
    )
    sup, groups = world["督办"], world.groups
    await bot.settle(sup.private)
    sent = await bot.command(sup.private, sup, "/notice 通报")
    assert "已发送至3个单位" in sent["text"]
    circular = {u: await bot.api.next_message(groups[u]) for u in ("甲县", "乙县")}
    assert circular["甲县"]["text"].startswith("📄 工作进展通报（督办印发）")
    assert "测试专项整治 · 工作汇总" in circular["甲县"]["text"]  # what the circular reads out
    assert (await bot.tap(circular["甲县"], world["张三"], "已阅")).startswith("甲县已阅")
    status = await bot.command(sup.private, sup, "/notice")
    assert status["text"].startswith("工作进展通报（1月11日（周四）10:00）已阅1/3")

    # 乙县 reads it on Monday, after Friday 18:00: late; 丙县 never
    bot.clock.at = datetime(2024, 1, 15, 2, 0, tzinfo=UTC)  # Monday 10:00
    assert (await bot.tap(circular["乙县"], world["王五"], "已阅")).startswith("乙县已阅")
    await bot.settle(sup.private)
    summary = await bot.command(sup.private, sup, "/summary")
    await bot.settle(sup.private)
    docx = await bot.press(summary, sup, "下载通报（Word）")
    paragraphs = [p.text for p in Document(io.BytesIO(docx["payload"])).paragraphs]
    assert "已阅情况" in "".join(paragraphs)
    assert (
        "1月11日（周四）10:00印发的上期通报应于1月12日（周五）18:00前阅知，以下2个单位逾期阅知或未阅："
        "乙县（1月15日（周一）10:00阅知）、丙县（未阅）。"
    ) in paragraphs
