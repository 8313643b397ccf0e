"""End to end: a reminder held by quiet hours says the time left as of its sending, alone or
folded with others into one catch-up message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from storage.models import OutboxMessage
from tests.e2e.deadlines.test_supervisor_moves_a_deadline import beijing
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
TWO_DEADLINES = CAMPAIGN.replace(
    "reminders: [1d]",
    '  - {due: "2024-01-13 09:00", deliverable: 问题线索清单}\nreminders: [2d, 1d]',
)


@pytest.fixture
async def bot(
    db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Harness]:
    path = tmp_path / "campaign.yaml"
    path.write_text(getattr(request, "param", CAMPAIGN), encoding="utf-8")
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
        held = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).one()
        assert held.status == "pending" and held.not_before == beijing("2024-01-12 08:00")
    assert bot.api.unread(group) == []
    bot.clock.at = beijing("2024-01-12 08:00")
    sent = await bot.api.next_message(group)
    assert "整改情况报告" in sent["text"] and "还有13小时30分" in sent["text"], sent["text"]
    assert "1天" not in sent["text"]


@pytest.mark.parametrize("bot", [TWO_DEADLINES], indirect=True)
async def test_a_catch_up_held_by_quiet_hours_says_each_time_left_when_sent(
    bot: Harness, make_world: MakeWorld
) -> None:
    group = (await make_world(units=["甲县"])).group("甲县")
    # the bot was down from Wednesday: at 07:00 Friday both reminders are late, and quiet
    # hours hold them, folded into one message, until 08:00
    bot.clock.at = beijing("2024-01-12 07:00")
    await bot.drained()
    with bot.database().unit_of_work() as s:
        held = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).one()
        assert held.not_before == beijing("2024-01-12 08:00") and "补发" in held.text
    bot.clock.at = beijing("2024-01-12 08:00")
    sent = await bot.api.next_message(group)
    lines = sent["text"].splitlines()
    report = next(line for line in lines if "整改情况报告" in line)
    clues = next(line for line in lines if "问题线索清单" in line)
    assert "还有13小时30分" in report, sent["text"]  # not 14小时30分, as at 07:00
    assert "还有1天1小时" in clues, sent["text"]  # not 1天2小时
