"""End to end: /summary, the circular and the board read this week's report by one rule
(`workflows/supervision/standing.py`): at 10:00 on report day (the deadline 18:00) a unit that has
not sent it yet is 待报送, not 未报送; from 18:00 it is 未报送 in all three."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document

from tests.e2e.board.test_supervisor_reads_the_board import board_link
from tests.harness import MakeWorld
from tests.miniapp import MiniApp

MINI_APP = True
CAMPAIGN = "自治州房屋拆迁安置补偿领域违纪违法突出问题专项整治"


def circular_texts(payload: bytes) -> list[str]:
    """The circular's paragraphs and its first table's 周报 column (the units')."""
    doc = Document(io.BytesIO(payload))
    column = [row.cells[-1].text for row in doc.tables[0].rows[1:-1]]
    return [p.text for p in doc.paragraphs] + column


async def test_before_the_deadline_a_report_not_sent_is_due_not_missing(
    make_world: MakeWorld,
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"], supervisors=["督办赵"], supervisors_group="专班群"
    )
    bot, sup = world.bot, world["督办赵"]
    chat = sup.private
    bot.clock.at = datetime(2024, 1, 15, 2, 0, tzinfo=UTC)  # Monday 15 Jan, 10:00 in Beijing
    await bot.settle(chat)
    summary = await sup.say(chat, "/summary")
    lines = summary["text"].split("\n")
    assert lines[2] == "本周“工作台账”：按时0个，逾期0个，待报送10个（报送时间未到）。"
    assert all("本周台账待报送" in line for line in lines[3:13]), lines
    assert "未报送" not in summary["text"]
    await bot.api.next_message(chat)  # the chart
    circular = circular_texts((await sup.say(chat, "/summary 通报"))["payload"])
    assert any(
        t.startswith("本周“工作台账”报送时间未到，待报送单位（10个）：库尔勒市、轮台县")
        for t in circular
    )
    assert circular[-10:] == ["待报送"] * 10
    assert not any("未报送" in t for t in circular), circular
    page = MiniApp(bot, sup, await board_link(bot, world))
    _, board = await page.call("GET", "api/board")
    assert {u["weekly"] for u in board["units"]} == {"due"}

    bot.clock.at = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # 18:00: the deadline
    summary = await sup.say(chat, "/summary")
    assert summary["text"].split("\n")[2] == "本周“工作台账”：按时0个，逾期0个，未报送10个。"
    await bot.api.next_message(chat)
    circular = circular_texts((await sup.say(chat, "/summary 通报"))["payload"])
    assert circular[-10:] == ["未报送"] * 10
    _, board = await page.call("GET", "api/board")
    assert {u["weekly"] for u in board["units"]} == {"missing"}
