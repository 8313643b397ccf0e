"""End to end: a supervisor in the supervisors' group hears there only, one who is not hears in
private; each gets one message a working morning listing every overdue deliverable once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.harness import Harness, MakeWorld
from workflows.people.roles import Role

CAMPAIGN = """
name: 测试专项整治
year: 2024
timezone: Asia/Shanghai
units: [甲县, 乙县]
deadlines:
  - {due: "2024-01-08 18:00", deliverable: 联络员名单}
  - {due: "2024-01-10 10:30", deliverable: 自查自纠阶段总结}
reminders: [20m]
"""


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    harness = Harness(db_url, template=str(path))  # Wednesday 10 Jan 2024, 10:00 in Beijing
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_each_supervisor_hears_once_a_morning_in_one_place(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["甲县", "乙县"])
    zhang, li = world.person("督办张"), world.person("督办李")
    # 督办张 speaks in the group before it is bound as the supervisors', and both become
    # supervisors after: the planner's first pass for them finds the group, and him in it (in
    # any other order a pass can come between, and Monday's list reaches him in private)
    group = world.new_group("专班群")
    await zhang.say(group, "/help")
    await world.bind_supervisors(group=group)
    for supervisor in (zhang, li):
        world.supervisors.append(supervisor.grant(Role.SUPERVISOR))
    await bot.settle(group, zhang.private, li.private)  # Monday's list, caught up at binding

    def unread() -> tuple[list[str], list[str], list[str]]:
        return tuple(  # type: ignore[return-value]
            [m["text"] for m in bot.api.unread(chat)] for chat in (group, zhang.private, li.private)
        )

    bot.clock.at = datetime(2024, 1, 10, 2, 30, tzinfo=UTC)  # 10:30: 自查自纠阶段总结 is due
    await bot.drained()
    in_group, to_zhang, to_li = unread()
    missing = "“自查自纠阶段总结”已于1月10日（周三）10:30截止。未报送：甲县、乙县"
    assert in_group == [missing] and to_li == [missing] and to_zhang == []
    await bot.settle(group, li.private)

    bot.clock.at = datetime(2024, 1, 11, 1, 0, tzinfo=UTC)  # Thursday 09:00
    await bot.drained()
    in_group, to_zhang, to_li = unread()
    assert len(in_group) == 1 and to_li == in_group and to_zhang == []
    morning = in_group[0].split("\n")
    assert morning == [
        "1月11日（周四）督办汇总：以下2项仍未办结，一并提醒：",
        "1. 逾期未报（第3个工作日）：“联络员名单”（1月8日（周一）18:00截止）。未报送：甲县、乙县",
        "2. 逾期未报（第1个工作日）：“自查自纠阶段总结”（1月10日（周三）10:30截止）。"
        "未报送：甲县、乙县",
    ]
    bot.clock.at = datetime(2024, 1, 11, 7, 0, tzinfo=UTC)  # 15:00: nothing more that day
    await bot.settle(group, li.private)
    assert unread() == ([], [], [])

    # 督办张 leaves the group; the admin adds 督办李 to it
    await bot.api.remove_member(group, zhang, zhang)
    await bot.api.add_member(group, bot.admin, li)
    await bot.drained()
    in_group, to_zhang, to_li = unread()
    # what is still outstanding reaches 督办张 in private at once, in one message, as it does
    # a supervisor just appointed
    assert in_group == [] and to_li == [] and len(to_zhang) == 1
    assert to_zhang[0].startswith("（补发）以下4项提醒")
    await bot.settle(zhang.private)
    bot.clock.at = datetime(2024, 1, 12, 1, 0, tzinfo=UTC)  # Friday 09:00
    await bot.drained()
    in_group, to_zhang, to_li = unread()
    assert len(in_group) == 1 and to_zhang == in_group and to_li == []
    assert in_group[0].startswith("1月12日（周五）督办汇总：以下2项仍未办结")
    assert "逾期未报（第4个工作日）：“联络员名单”" in in_group[0]
