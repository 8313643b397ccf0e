"""End to end: /summary with its chart, /export as a workbook, the weekly digest once a week."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.serve.jobs import plan_once
from tests.harness import Harness
from workflows.roles import Role


async def test_summary_and_export_for_a_supervisor(bot: Harness) -> None:
    sup = bot.api.user(6001, "督办钱")
    bot.grant(sup, Role.SUPERVISOR)
    chat = bot.api.private(sup)
    await bot.settle(chat)
    summary = await bot.command(chat, sup, "/summary")
    assert summary["text"].startswith(
        "自治州房屋拆迁安置补偿领域违纪违法突出问题专项整治 · 工作汇总"
    )
    assert "轮台县：问题0，销号0（—），逾期0；本周台账未报送" in summary["text"]
    chart = await bot.api.next_message(chat)
    assert chart["payload"].startswith(b"\x89PNG") and "销号率" in chart["caption"]
    export = await bot.command(chat, sup, "/export")
    assert export["document"]["file_name"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(export["payload"]))
    assert book.sheetnames[0] == "问题台账" and "转办件登记办理台账" in book.sheetnames
    week = await bot.command(chat, sup, "/summary week")
    assert "新增问题0个，有进展0个，销号0个，新逾期0个" in week["text"]
    one = await bot.command(chat, sup, "/summary 轮台县")
    assert "轮台县" in one["text"]
    li = bot.api.user(6002, "李")
    bot.grant(li, Role.LIAISON, "轮台县")
    denied = await bot.command(bot.api.private(li), li, "/export")
    assert "没有使用 /export 的权限" in denied["text"]


async def test_the_weekly_digest_reaches_the_supervisors_once(bot: Harness) -> None:
    sup = bot.api.user(6003, "督办孙")
    bot.grant(sup, Role.SUPERVISOR)
    chat = bot.api.private(sup)
    bot.clock.at = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)  # Monday 15 Jan, 17:30 in Beijing
    await bot.settle(chat)
    bot.clock.at = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # 18:00: the weekly deadline
    await bot.drained()
    digests = [m for m in bot.api.unread(chat) if "工作汇总" in m.get("text", "")]
    assert len(digests) == 1
    bot.clock.at = datetime(2024, 1, 17, 2, 0, tzinfo=UTC)  # Wednesday: still this week's
    await bot.restart()
    assert plan_once(bot.services()) == 0
    await bot.drained()
    assert len([m for m in bot.api.unread(chat) if "工作汇总" in m.get("text", "")]) == 1
