"""End to end: the working-day calendar is right for 2026 and honest about 2027."""

from __future__ import annotations

from tests.harness import Harness
from tests.workflows.test_holiday_notice import LINE_2027


async def test_overrides_and_the_provisional_year(bot: Harness) -> None:
    chat = bot.api.private(bot.admin)
    provisional = await bot.command(chat, bot.admin, "/workday 2027")
    assert provisional["text"].startswith("2027年：尚未收录国务院节假日安排，暂按周一至周五计算。")
    official = await bot.command(chat, bot.admin, "/workday 2026")
    assert official["text"].startswith("2026年：已收录国务院节假日安排。")
    done = await bot.command(chat, bot.admin, "/workday 2027-02-06 on 春节调休")
    assert done["text"] == "已将2027年2月6日（周六）设为工作日。"
    listed = await bot.command(chat, bot.admin, "/workday 2027")
    assert "2027年2月6日（周六）：工作日　春节调休" in listed["text"]
    wrong = await bot.command(chat, bot.admin, "/workday 2027-02-30 off")
    assert "无法识别的日期" in wrong["text"]
    usage = await bot.command(chat, bot.admin, "/workday tomorrow")
    assert usage["text"].startswith("用法：/workday")


async def test_importing_the_notice(bot: Harness) -> None:
    chat = bot.api.private(bot.admin)
    ask = await bot.command(chat, bot.admin, "/workday import 2026")
    wrong_year = await bot.answer(ask, bot.admin, LINE_2027)
    assert "与2026年的星期不符" in wrong_year["text"]
    await bot.command(chat, bot.admin, "/cancel")
    ask = await bot.command(chat, bot.admin, "/workday import 2027")
    summary = await bot.answer(ask, bot.admin, LINE_2027)
    assert "元旦：2027年1月1日（周五）至2027年1月3日（周日）（3天）" in summary["text"]
    assert "调休上班：2027年1月4日（周一）" in summary["text"]
    done = await bot.press(summary, bot.admin, "确认提交")
    assert done["text"] == "已导入2027年：1个节日，1个调休上班日。"
    known = await bot.command(chat, bot.admin, "/workday 2027")
    assert known["text"].startswith("2027年：已收录国务院节假日安排。")


async def test_a_liaison_cannot_change_the_calendar(bot: Harness) -> None:
    li = bot.api.user(4001, "李")
    chat = bot.api.private(li)
    denied = await bot.command(chat, li, "/workday 2027-02-06 on")
    assert "没有使用 /workday 的权限" in denied["text"]
