"""The weekly period as a liaison reads it: /weekly and /deadlines the day before the report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.harness import Harness, MakeWorld

CAMPAIGN = """
name: 周日报送测试专项整治
year: 2026
timezone: Asia/Shanghai
units: [甲县]
phases:
  - {name: 整治阶段, text: 11月28日至12月31日}
weekly_report: {weekday: 周日, time: "18:00", name: 工作台账}
"""
SAID = {
    "zh_CN": ("截止11月29日（周日）18:00", "本期11月29日（周日）18:00前（还有1天8小时）"),
    "en": ("due Sun 29 Nov 18:00", "this week due Sun 29 Nov 18:00 (1d 8h left)"),
}


@pytest.fixture(params=["zh_CN", "en"])
async def bot(
    request: pytest.FixtureRequest, db_url: str, tmp_path: Path
) -> AsyncIterator[Harness]:
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    # Saturday 28 November 2026, 10:00 in Beijing: the phase begins today, the report is due
    # tomorrow; the Sunday before lies before the campaign
    harness = Harness(
        db_url,
        template=str(path),
        locale=request.param,
        start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_the_day_before_a_sunday_report_speaks_of_tomorrows(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["甲县"], liaisons={"甲县": "李明"})
    group, li = world.group("甲县"), world["李明"]
    await bot.settle(group)
    weekly, deadlines = SAID[bot.locale]
    start = await bot.command(group, li, "/weekly")
    assert weekly in start["text"] and "22" not in start["text"].split("\n")[0]
    listing = await bot.command(group, li, "/deadlines")
    assert deadlines in listing["text"], listing["text"]
    assert "逾期" not in listing["text"] and "overdue" not in listing["text"]
