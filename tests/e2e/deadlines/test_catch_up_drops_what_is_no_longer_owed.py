"""A catch-up that waited for its group's budget while part of it stopped being owed: only
that part is dropped; what is still owed arrives, even when its deadline's next stage has
come meanwhile (the province soak, seed 100: a countdown reminder owed and never sent)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.telegram.budget import Limits
from storage import campaigns
from storage.models import Deadline, Notification, OutboxMessage, saved_id
from tests.harness import Harness, MakeWorld

CST = ZoneInfo("Asia/Shanghai")
CAMPAIGN = """
name: 测试专项整治
year: 2024
timezone: Asia/Shanghai
units: [轮台县]
deadlines:
  - {due: "2024-01-15 22:00", deliverable: 自查自纠阶段总结}
weekly_report: {weekday: 周一, time: "18:00", name: 工作台账}
reminders: [8h, 2h]
"""
WINDOW = (4, 20.0)  # a group's budget: 4 messages in 20 s (three of them for notices)
EIGHT_HOURS = "deadline:{id}:20240115T140000Z:unit:{unit}:chat:{chat}:r28800"
TWO_HOURS = "deadline:{id}:20240115T140000Z:unit:{unit}:chat:{chat}:r7200"


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    start = datetime(2024, 1, 15, 7, 30, tzinfo=CST)  # Monday, before the weekly prompt
    harness = Harness(db_url, template=str(path), limits=Limits(group=WINDOW), start=start)
    await harness.start()
    harness.api.group_limit = WINDOW
    try:
        yield harness
    finally:
        await harness.stop()


def told_in(bot: Harness, key: str) -> list[OutboxMessage]:
    """The outbox rows that carried `key`: its own, or the message that told it."""
    with bot.db.unit_of_work() as s:
        note = s.exec(select(Notification).where(Notification.key == key)).one_or_none()
        if note is not None and note.kind == "told":
            key = str(note.payload["told_in"])
            note = s.exec(select(Notification).where(Notification.key == key)).one_or_none()
        if note is None:
            return []
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.notification_id == note.id)))


async def test_a_catch_up_withdrawn_for_a_reported_week_still_brings_the_deadline_reminder(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    world.add_items("轮台县", 1, due_on="2024-06-30")
    await bot.drained()

    # down from 07:30 to 16:30: the 8-hour stage (14:00) and the week's reminder (16:00) are
    # missed; the group's budget is spent on others' notices when the bot comes back
    await bot.stop_bot()
    bot.clock.at = datetime(2024, 1, 15, 16, 30, tzinfo=CST)
    # the group's notices may take 3 of its 4 in a window: what binding it said counts
    used = [t for t in bot.api.group_log[group["id"]] if t > time.monotonic() - WINDOW[1]]
    fill = max(0, WINDOW[0] - 1 - len(used))
    with bot.db.unit_of_work() as s:
        for n in range(fill):
            s.add(
                OutboxMessage(
                    chat_id=group["id"],
                    text=f"通知{n}",
                    not_before=bot.clock(),
                    created_at=bot.clock(),
                )
            )
    await bot.start_bot()
    await bot.api.until(lambda: len(bot.api.group_log[group["id"]]) >= len(used) + fill)

    def planned() -> bool:
        with bot.db.unit_of_work() as s:
            kinds = s.exec(select(Notification.kind)).all()
        return "catchup" in kinds

    await bot.api.until(planned)
    with bot.db.unit_of_work() as s:
        catch_up = s.exec(select(Notification).where(col(Notification.kind) == "catchup")).one()
        (waiting,) = s.exec(
            select(OutboxMessage).where(OutboxMessage.notification_id == catch_up.id)
        ).all()
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, saved_id(camp), "轮台县")
        (deadline_row,) = s.exec(select(Deadline)).all()
        ids = {"id": deadline_row.id, "unit": unit.id, "chat": group["id"]}
    assert waiting.status == "pending"  # the catch-up waits for the group's budget
    assert "补发" in waiting.text and "工作台账" in waiting.text and "自查自纠" in waiting.text
    assert [r.id for r in told_in(bot, EIGHT_HOURS.format(**ids))] == [waiting.id]

    # meanwhile 李明 reports the week in private, and the deadline's 2-hour stage comes
    private = li.private
    card = await bot.command(private, li, "/weekly")
    new_q = await bot.press(card, li, "本周无变化")
    confirm = await bot.press(new_q, li, "没有")
    done = await bot.press(confirm, li, "确认提交")
    assert done["text"].startswith("✅ 轮台县已报送本周“工作台账”")
    with bot.db.unit_of_work() as s:
        assert s.get(OutboxMessage, waiting.id).status == "pending"  # still waiting
    bot.clock.at = datetime(2024, 1, 15, 20, 0, tzinfo=CST)

    # the budget comes back: the week's reminder is not sent, the 8-hour stage is, once
    def settled() -> bool:
        rows = told_in(bot, EIGHT_HOURS.format(**ids)) + told_in(bot, TWO_HOURS.format(**ids))
        return len(rows) >= 2 and all(r.status == "sent" for r in rows)

    await bot.api.until(settled, timeout=60)
    await bot.drained()
    sent = [m["text"] for m in bot.api.bot_messages(group)]
    assert not any("工作台账" in t and "⏰" in t for t in sent)  # the week was reported
    # one reminder of the deadline, its 2-hour stage, tells the 8-hour stage too: not twice
    (reminder,) = [t for t in sent if "自查自纠阶段总结" in t and "⏰" in t]
    assert "还有2小时" in reminder
    eight = [r for r in told_in(bot, EIGHT_HOURS.format(**ids)) if r.status == "sent"]
    assert len(eight) == 1  # the 8-hour stage reached the group once
    assert eight == told_in(bot, TWO_HOURS.format(**ids))
    with bot.db.unit_of_work() as s:
        assert s.get(OutboxMessage, waiting.id).status == "withdrawn"
    assert bot.api.too_many == 0
