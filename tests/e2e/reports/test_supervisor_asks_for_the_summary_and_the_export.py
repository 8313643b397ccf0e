"""End to end: /summary with its chart, /export as a workbook, the weekly digest once a week."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from openpyxl import load_workbook

from bot.serve.jobs import plan_once
from tests.harness import MakeWorld
from workflows.people.roles import Role

CAMPAIGN = "自治州房屋拆迁安置补偿领域违纪违法突出问题专项整治"
UNITS = (
    "库尔勒市",
    "轮台县",
    "尉犁县",
    "若羌县",
    "且末县",
    "焉耆县",
    "和静县",
    "和硕县",
    "博湖县",
    "库尔勒经济技术开发区",
)


def empty_summary(*units: str) -> str:
    """The summary of an empty ledger: every figure nought, the week's report not sent."""
    return "\n".join(
        [
            f"{CAMPAIGN} · 工作汇总",
            "问题0个，已销号0个（销号率—），逾期0个；转办件已反馈0件（按时率—），逾期未反馈0件。",
            f"本周“工作台账”：按时0个，逾期0个，未报送{len(units)}个。",
            *(
                f"{unit}：问题0，销号0（—），逾期0；本周台账未报送；转办件反馈0（按时率—），逾期0"
                for unit in units
            ),
        ]
    )


async def test_summary_and_export_for_a_supervisor(make_world: MakeWorld) -> None:
    world = await make_world(supervisors=["督办钱"], people=["李"])
    bot, sup = world.bot, world["督办钱"]
    chat = sup.private
    await bot.settle(chat)
    summary = await sup.say(chat, "/summary")
    assert summary["text"] == empty_summary(*UNITS)
    chart = await bot.api.next_message(chat)
    assert chart["payload"].startswith(b"\x89PNG")
    assert chart["caption"] == f"{CAMPAIGN}：各单位问题整改情况与每周按时报送率"
    circular = await sup.press(summary, "下载通报（Word）")  # one message: the document
    assert circular["document"]["file_name"] == "工作进展通报-20240110.docx"
    assert circular["caption"] == f"{CAMPAIGN}工作进展通报"
    doc = Document(io.BytesIO(circular["payload"]))
    assert doc.paragraphs[1].text == f"关于{CAMPAIGN}工作进展情况的通报"
    assert [r.cells[0].text for r in doc.tables[0].rows] == ["单位", *UNITS, "合计"]
    again = await sup.say(chat, "/summary 通报")
    assert again["document"]["file_name"] == circular["document"]["file_name"]
    li = world["李"].grant(Role.LIAISON, "轮台县")
    assert await li.tap(summary, "下载通报（Word）") == "抱歉，您没有使用 /summary 的权限。"
    export = await sup.say(chat, "/export")
    assert export["document"]["file_name"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(export["payload"]))
    assert book.sheetnames[0] == "问题台账" and "转办件登记办理台账" in book.sheetnames
    week = await sup.say(chat, "/summary week")
    assert week["text"] == f"{CAMPAIGN} · 本周变化\n新增问题0个，有进展0个，销号0个，新逾期0个。"
    one = await sup.say(chat, "/summary 轮台县")  # the weekly report is named, not “”
    assert one["text"] == empty_summary("轮台县")
    denied = await li.say(li.private, "/export")
    assert denied["text"] == "抱歉，您没有使用 /export 的权限。"


async def test_the_weekly_digest_reaches_the_supervisors_once(make_world: MakeWorld) -> None:
    world = await make_world(supervisors=["督办孙"])
    bot, chat = world.bot, world["督办孙"].private
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


async def test_a_units_summary_lists_forty_items_and_counts_the_rest(
    make_world: MakeWorld,
) -> None:
    world = await make_world(units=["轮台县"], supervisors=["督办钱"])
    bot, sup = world.bot, world["督办钱"]
    await bot.settle(sup.private)
    codes = world.add_items("轮台县", 43)
    said = await sup.say(sup.private, "/summary 轮台县")  # one message: figures, then items
    figures, items = said["text"].split("\n\n")
    assert figures.startswith(f"{CAMPAIGN} · 工作汇总\n问题43个，已销号0个")
    listing = items.split("\n")
    assert [line.split()[0] for line in listing[:40]] == codes[:40]  # all overdue: by number
    assert listing[40:] == ["……另有3个问题未列出，完整台账请用 /export 导出。"]
