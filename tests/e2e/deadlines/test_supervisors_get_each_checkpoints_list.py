"""At each checkpoint of seed 003 the supervisors get the 约谈名单 once, with the problems."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from storage import campaigns, ledger
from storage.audit import Stamp
from tests.harness import Harness, MakeWorld
from workflows.problems.ledger import ItemChanges, ItemColumns


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    """The jincheng-2024 campaign (checkpoints 2024年底, 2025年6月, 2025年底), on 30 December
    2024, 10:00 in Beijing."""
    harness = Harness(db_url, template="jincheng-2024", start=datetime(2024, 12, 30, 2, tzinfo=UTC))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_the_morning_after_2024年底_the_supervisors_get_the_interview_list_once(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["泽州县住建局", "阳城县住建局"], supervisors=["督办赵"])
    zhao = world["督办赵"].private
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        zezhou = campaigns.unit_named(s, camp.id, "泽州县住建局")
        yangcheng = campaigns.unit_named(s, camp.id, "阳城县住建局")
        stamp = Stamp(bot.clock())
        ledger.create_item(
            s, zezhou, ItemColumns(name="金村棚改", due_on=date(2024, 11, 30)), stamp
        )
        ledger.create_item(s, zezhou, ItemColumns(name="北石店", due_on=date(2025, 3, 31)), stamp)
        done = ledger.create_item(
            s, yangcheng, ItemColumns(name="凤城安置", due_on=date(2024, 10, 31)), stamp
        )
        ledger.change_item(
            s,
            done,
            ItemChanges(status="closed", closed_at=bot.clock()),
            expected_version=None,
            action="item.closed",
            stamp=stamp,
        )

    def lists() -> list[str]:
        return [m["text"] for m in bot.api.bot_messages(zhao) if "约谈名单" in m["text"]]

    bot.clock.advance(days=1, hours=22, minutes=59)  # 1 January 2025, 08:59: not yet
    await bot.drained()
    assert lists() == []
    bot.clock.advance(minutes=2)
    await bot.drained()
    assert lists() == [
        "📋 2024年底约谈名单，截至2024年12月31日（周二）：按照方案，对未按计划完成整改的县"
        "（市、区）进行约谈问责。以下1个单位有已超过办结时间仍未销号的问题：\n"
        "· 泽州县住建局，1个：泽州-001 金村棚改，办结时间2024年11月30日（周六）"
    ]
    bot.clock.advance(days=1)
    await bot.drained()
    assert len(lists()) == 1  # once
