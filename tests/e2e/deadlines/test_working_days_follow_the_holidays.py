"""End to end: the working-day calendar is right for 2026 and honest about 2027."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.harness import Harness, World
from tests.workflows.calendar.test_holiday_notice import LINE_2027


async def test_overrides_and_the_provisional_year(bot: Harness) -> None:
    chat = bot.api.private(bot.admin)
    provisional = await bot.command(chat, bot.admin, "/workday 2027")
    assert provisional["text"].startswith(
        "2027年：尚未收录国务院节假日安排，暂按周一至周五计算，法定节假日放假："
        "元旦2027年1月1日（周五）、春节2027年2月5日（周五）至2027年2月8日（周一）、"
    )
    last = "国庆节2027年10月1日（周五）至2027年10月3日（周日）。补休及调休以通知为准。"
    assert last in provisional["text"]
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


async def test_a_case_forwarded_on_new_years_eve_and_the_admins_word(
    bot: Harness, county: World
) -> None:
    bot.clock.at = datetime(2026, 12, 31, 2, 0, tzinfo=UTC)  # Thursday 31 Dec 2026, 10:00
    sup = county["督办张"]
    await bot.settle(sup.private)  # the campaign's catch-up of 2024, read
    done = await bot.command(sup.private, sup, "/forward 轮台县 反映安置房逾期未交付")
    # 1 Jan 2027 is off by law, 2–3 Jan the weekend: due Tuesday 5 Jan, provisional
    assert done["text"] == (
        "已转办 ZB-0001 至轮台县，须于2027年1月5日（周二）18:00前反馈（放假通知尚未发布，暂定）。"
    )
    await bot.drained()
    told = [
        m["text"] for m in bot.api.bot_messages(county.admin.private) if "尚未收录" in m["text"]
    ]
    assert len(told) == 1
    await bot.settle(sup.private)
    assert told[0].startswith(
        "2027年的国务院节假日安排尚未收录，工作日暂按周一至周五计算，法定节假日放假："
        "元旦2027年1月1日（周五）、春节2027年2月5日（周五）至2027年2月8日（周一）、清明节"
    )
    second = await bot.command(sup.private, sup, "/forward 轮台县 拖欠过渡安置费")
    assert second["text"].startswith("已转办 ZB-0002 至轮台县，须于2027年1月5日")
    await bot.drained()
    again = [m for m in bot.api.bot_messages(county.admin.private) if "尚未收录" in m["text"]]
    assert len(again) == 1  # once a year
