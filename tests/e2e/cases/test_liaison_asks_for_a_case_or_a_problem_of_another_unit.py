"""End to end: a liaison who names another unit's case or problem, or one that does not exist,
is told so in words, and nothing is shown or opened."""

from __future__ import annotations

from tests.harness import Harness, MakeWorld


async def test_another_units_case_or_problem_is_refused_in_words(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"],
        liaisons={"轮台县": "李明", "尉犁县": "赵强"},
        supervisors=["督办张"],
    )
    sup, li, zhao = world["督办张"], world["李明"], world["赵强"]
    ours, theirs = world.group("轮台县"), world.group("尉犁县")
    await bot.command(sup.private, sup, "/forward 轮台县 反映安置房逾期未交付")
    await bot.api.next_message(ours)  # the case's card in 轮台县's group
    (code,) = world.add_items("轮台县", 1)

    # the unit's own liaison reads its case
    mine = await bot.command(ours, li, "/case ZB-0001")
    assert "反映安置房逾期未交付" in mine["text"]
    # another unit's liaison: neither the case nor the problem, named by code or by id
    said = await bot.command(theirs, zhao, "/case ZB-0001")
    assert said["text"] == "转办件 ZB-0001 不在您的办理范围内。"
    said = await bot.command(theirs, zhao, "/case 1")
    assert said["text"] == "转办件 ZB-0001 不在您的办理范围内。"
    said = await bot.command(theirs, zhao, f"/close {code}")
    assert said["text"] == f"问题 {code} 不在您的单位台账中。"
    # what does not exist is said to be unknown, by the name it was given
    said = await bot.command(theirs, zhao, "/case ZB-0099")
    assert said["text"] == "未找到转办件“ZB-0099”。"
    said = await bot.command(theirs, zhao, "/close 尉犁-999")
    assert said["text"] == "未找到问题“尉犁-999”。"
    assert bot.api.unread(theirs) == []  # one answer a step, and nothing opened
