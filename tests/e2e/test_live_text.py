"""End to end: a reminder held by quiet hours says the time left as of its sending."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from storage.models import OutboxMessage
from tests.e2e.test_moved import beijing
from tests.harness import Harness, MakeWorld

CAMPAIGN = """
name: 时间测试
year: 2024
timezone: Asia/Shanghai
units: [甲县]
deadlines:
  - {due: "2024-01-12 21:30", deliverable: 整改情况报告}
reminders: [1d]
"""


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    harness = Harness(db_url, template=str(path))  # starts Wednesday 10 Jan 2024, 10:00
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_a_reminder_held_by_quiet_hours_says_the_time_left_when_sent(
    bot: Harness, make_world: MakeWorld
) -> None:
    group = (await make_world(units=["甲县"])).group("甲县")
    bot.clock.at = beijing("2024-01-11 21:30")  # the one-day stage, planned in quiet hours
    await bot.drained()
    with bot.database().unit_of_work() as s:
        held = s.exec(select(OutboxMessage)).one()
        assert held.status == "pending" and held.not_before == beijing("2024-01-12 08:00")
    assert bot.api.unread(group) == []
    bot.clock.at = beijing("2024-01-12 08:00")
    sent = await bot.api.next_message(group)
    assert "整改情况报告" in sent["text"] and "还有13小时30分" in sent["text"], sent["text"]
    assert "1天" not in sent["text"]
