"""End to end: 请假与代岗 — a liaison records leave by chat; while away the unit's reminders
name and privately tell the deputy (or the other liaisons), never the person away; after the
leave they go back; a unit with nobody present is told to the supervisors once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.sandbox.leave import put_on_leave
from bot.serve.jobs import plan_once
from storage.models import Leave, Notification
from tests.harness import Harness, MakeWorld, Person, on_campaign

CAMPAIGN = """
name: 测试专项整治
year: 2024
timezone: Asia/Shanghai
units: [甲县, 乙县]
weekly_report: {weekday: 周一, time: "18:00", name: 工作台账}
"""
THURSDAY_10 = datetime(2024, 1, 11, 2, 0, tzinfo=UTC)  # Thursday 11 January, 10:00 in Beijing
MONDAY_08 = datetime(2024, 1, 15, 0, 0, tzinfo=UTC)  # Monday 15 January, 08:00: the prompt
NEXT_MONDAY_08 = datetime(2024, 1, 22, 0, 0, tzinfo=UTC)


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with on_campaign(
        db_url, tmp_path / "campaign.yaml", CAMPAIGN, start=THURSDAY_10
    ) as harness:
        yield harness


def leaves(bot: Harness) -> list[Leave]:
    with bot.database().unit_of_work() as s:
        return list(s.exec(select(Leave).order_by(Leave.id)))


def planned_to(bot: Harness, chat_id: int, kind: str) -> int:
    with bot.database().unit_of_work() as s:
        rows = s.exec(select(Notification).where(Notification.kind == kind))
        return sum(1 for r in rows if int(r.payload["chat_id"]) == chat_id)


def mentions(message: dict[str, Any], person: Person) -> bool:
    return f"tg://user?id={person['id']}" in message.get("html", "")


async def record_leave(bot: Harness, person: Person, days: str, deputy: str) -> dict[str, Any]:
    """/leave in private, as the demo's `put_on_leave` does it; the last answer."""
    return await put_on_leave(bot, person, days, None if deputy.startswith("不指定") else deputy)


async def test_leave_by_chat_sends_the_reminders_to_the_deputy_and_back_after_it(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["甲县", "乙县"], liaisons={"甲县": ["张三", "李四", "孙七"], "乙县": "王五"}
    )
    zhang, li, sun = world["张三"], world["李四"], world["孙七"]
    jia, yi = world.group("甲县"), world.group("乙县")
    await bot.settle(jia, yi)

    asked = await bot.command(zhang.private, zhang, "/leave")  # the steps, as a liaison sees them
    assert "请回复请假日期" in asked["text"]
    pick = await bot.answer(asked, zhang, "1月15日–1月17日")
    assert "代岗人" in pick["text"]
    labels = [b["text"] for row in pick["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[:3] == ["李四", "孙七", "不指定（由本单位其他联络员代岗）"]
    summary = await bot.press(pick, zhang, "李四")
    assert "请核对请假信息" in summary["text"] and "代岗：李四" in summary["text"]
    done = await bot.press(summary, zhang, "确认提交")
    assert done["text"].startswith("✅ 已登记请假：1月15日（周一）至1月17日（周三），代岗：李四")
    assert [(r.user_id, r.deputy_user_id) for r in leaves(bot)] == [(zhang["id"], li["id"])]
    told = await bot.api.next_message(jia)  # the unit's group hears it once, the deputy named
    assert told["text"] == "📌 张三1月15日（周一）至1月17日（周三）请假，代岗：李四。"
    assert mentions(told, li) and not mentions(told, zhang)
    shown = await bot.command(zhang.private, zhang, "/leave")  # asked again: the leave shown
    assert "您的请假：1月15日（周一）至1月17日（周三），代岗：李四" in shown["text"]
    assert shown["reply_markup"]["inline_keyboard"][0][0]["text"] == "提前销假"
    await bot.command(li.private, li, "/start")  # the deputy has opened the bot's private chat
    await bot.settle(zhang.private, li.private, sun.private)

    bot.clock.at = MONDAY_08  # the weekly prompt, during the leave
    prompt = await bot.api.next_message(jia)
    assert "工作台账" in prompt["text"]
    assert "张三（请假至1月17日（周三））" in prompt["text"]
    assert "请 李四 代为办理" in prompt["text"]
    assert mentions(prompt, li) and not mentions(prompt, zhang) and not mentions(prompt, sun)
    copy = await bot.api.next_message(li.private)  # the deputy is told in private too
    assert copy["text"].startswith("【代岗提醒·甲县】") and "工作台账" in copy["text"]
    other = await bot.api.next_message(yi)  # 乙县 has nobody away: its prompt as ever
    assert "请假" not in other["text"] and "代为办理" not in other["text"]
    await bot.settle()
    assert bot.api.unread(zhang.private) == [] and bot.api.unread(sun.private) == []

    bot.clock.at = NEXT_MONDAY_08  # the leave ended by itself on Wednesday night
    back = await bot.api.next_message(jia)
    assert "工作台账" in back["text"] and "请假" not in back["text"]
    assert not mentions(back, li)
    await bot.settle()
    assert bot.api.unread(li.private) == []
    assert planned_to(bot, li["id"], "leave.cover") == 1


async def test_leave_with_no_deputy_goes_to_the_other_liaisons_and_can_end_early(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["甲县"], liaisons={"甲县": ["张三", "李四", "孙七"]})
    zhang, li, sun = world["张三"], world["李四"], world["孙七"]
    jia = world.group("甲县")
    await bot.settle(jia)
    done = await record_leave(bot, zhang, "1月12日至1月16日", "不指定（由本单位其他联络员代岗）")
    assert "代岗：本单位其他联络员" in done["text"]
    await bot.command(li.private, li, "/start")  # 孙七 never has: the bot may not write first
    await bot.settle(jia, li.private, sun.private)

    bot.clock.at = MONDAY_08
    prompt = await bot.api.next_message(jia)
    assert "请 李四、孙七 代为办理" in prompt["text"]
    assert mentions(prompt, li) and mentions(prompt, sun) and not mentions(prompt, zhang)
    assert (await bot.api.next_message(li.private))["text"].startswith("【代岗提醒·甲县】")
    await bot.settle()
    assert bot.api.unread(sun.private) == [] and planned_to(bot, sun["id"], "leave.cover") == 0

    # back early on Monday: /leave offers to end it; the end is kept, the leave is over
    bot.clock.at = datetime(2024, 1, 15, 3, 0, tzinfo=UTC)
    shown = await bot.command(zhang.private, zhang, "/leave")
    (row,) = leaves(bot)
    # someone else's leave, or none, by forged button data: refused by a toast, nothing ends
    for who, data in ((li, f"a:leave_end:{row.id}"), (zhang, "a:leave_end:9999")):
        forged = await bot.api.press(shown, who, data=data)
        await bot.api.until(
            lambda q=forged: any(a["callback_query_id"] == q for a in bot.api.callback_answers)
        )
        answer = next(a for a in bot.api.callback_answers if a["callback_query_id"] == forged)
        assert answer.get("text"), data
    assert leaves(bot)[0].ended_early_at is None
    ended = await bot.press(shown, zhang, "提前销假")
    assert ended["text"] == "✅ 已销假，本单位的提醒恢复发送给您。"
    assert (await bot.api.next_message(jia))["text"] == "📌 张三已销假，提醒恢复发送给本人。"
    (row,) = leaves(bot)
    assert row.ended_early_at is not None and row.ends_at <= bot.clock.at
    again = await bot.command(zhang.private, zhang, "/leave")  # no leave now: asks for a new one
    assert "请假日期" in again["text"]


async def test_a_unit_with_nobody_present_is_told_to_the_supervisors_once(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["甲县"], liaisons={"甲县": ["张三", "李四"]}, supervisors=["督办"]
    )
    zhang, li, sup = world["张三"], world["李四"], world["督办"]
    jia = world.group("甲县")
    await bot.settle(jia, sup.private)
    await record_leave(bot, zhang, "1月15日–1月19日", "李四")
    await record_leave(bot, li, "1月15日–1月16日", "张三")
    await bot.settle(jia, zhang.private, li.private)

    bot.clock.at = MONDAY_08
    told = await bot.api.next_message(sup.private)
    assert told["text"].startswith("⚠️ 甲县联络员均在请假")
    assert "张三（请假至1月19日（周五））" in told["text"]
    prompt = await bot.api.next_message(jia)  # the group still hears, and why nobody answers
    assert "本单位联络员均不在岗，已报专班" in prompt["text"]
    assert not mentions(prompt, zhang) and not mentions(prompt, li)
    for hour in (2, 6, 10):  # later that day: not told again
        bot.clock.at = datetime(2024, 1, 15, hour, 0, tzinfo=UTC)
        plan_once(bot.services())
    assert planned_to(bot, sup["id"], "leave.nobody") == 1
    await bot.settle()
    assert bot.api.unread(zhang.private) == [] and bot.api.unread(li.private) == []


async def test_bad_leave_is_refused_in_words_and_nothing_is_saved(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["甲县", "乙县"],
        liaisons={"甲县": ["张三", "李四"], "乙县": "王五"},
        supervisors=["督办"],
        people=["路人"],
    )
    zhang, sup, stranger = world["张三"], world["督办"], world["路人"]
    await bot.settle(zhang.private)
    at_once = await bot.command(zhang.private, zhang, "/leave 1月18日–1月15日")  # days given
    assert "结束日期1月15日（周一）早于开始日期1月18日（周四）" in at_once["text"]
    assert "请回复请假日期" in at_once["text"]
    await bot.command(zhang.private, zhang, "/cancel")
    await bot.settle(zhang.private)
    asked = await bot.command(zhang.private, zhang, "/leave")
    reversed_ = await bot.answer(asked, zhang, "1月18日–1月15日")
    assert "早于开始日期" in reversed_["text"]
    past = await bot.answer(asked, zhang, "1月8日–1月9日")
    assert "开始日期1月8日（周一）已经过去" in past["text"]
    pick = await bot.answer(asked, zhang, "1月15日–1月16日")
    # a deputy typed who is not a liaison of the unit, then a forged button
    typed = await bot.answer(pick, zhang, "王五")
    assert "请从" in typed["text"] or "选项" in typed["text"]
    forged = await bot.api.press(pick, zhang, data="f:999:0:7")
    await bot.api.until(
        lambda: any(a["callback_query_id"] == forged for a in bot.api.callback_answers)
    )
    assert leaves(bot) == []
    for person in (sup, stranger):
        await bot.settle(person.private)
        denied = await bot.command(person.private, person, "/leave")
        assert "/leave" in denied["text"] and "权限" in denied["text"]
    assert leaves(bot) == []
