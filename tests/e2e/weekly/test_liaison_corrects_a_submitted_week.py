"""End to end: a submitted week corrected by a liaison before its deadline (one 已更正 line,
both versions kept), and after it a correction asked of the supervisors, refused or applied;
a submitted deliverable's file replaced before its deadline, the old kept, and after it asked
of the supervisors as a week's correction is (on the board too)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from storage.models import AuditEvent, Decision, ProgressUpdate, Submission
from tests.e2e.weekly.test_liaison_updates_the_week_by_workbook import XLSX, filled
from tests.harness import Group, Harness, MakeWorld, Person, on_campaign
from tests.miniapp import MiniApp, app_url, start_param

CAMPAIGN = """
name: 更正测试专项整治
year: 2026
timezone: Asia/Shanghai
units: [尉犁县]
phases:
  - {name: 整治阶段, text: 3月1日至6月30日}
deadlines:
  - text: 3月5日18:00前报送自查自纠阶段总结
weekly_report: {weekday: 周一, time: "18:00", name: 工作台账}
"""


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    # Monday 2 March 2026, 10:00 in Beijing: this week's report is due today at 18:00
    async with on_campaign(
        db_url,
        tmp_path / "campaign.yaml",
        CAMPAIGN,
        start=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        mini_app=True,
    ) as harness:
        yield harness


def history(bot: Harness) -> list[tuple[str, int | None]]:
    """Every progress row kept, oldest first: what it said and who wrote it."""
    with bot.db.unit_of_work() as s:
        rows = s.exec(select(ProgressUpdate).order_by(col(ProgressUpdate.id))).all()
        return [(r.text, r.author_user_id) for r in rows]


async def first_card(bot: Harness, group: Group, who: Person, command: str) -> dict:
    """The week's first item card after `command` (what precedes it, read)."""
    await bot.api.send(group, who, command)
    card = await bot.api.next_message(group)
    while "本周进展如何" not in card["text"]:
        card = await bot.api.next_message(group)
    return card


async def fill_week(
    bot: Harness, group: Group, who: Person, command: str, said: str, *more: str
) -> dict:
    """`who` fills the unit's week after `command`: each item 按计划推进, with `said` (and
    `more`, for the items after the first); the answer to 确认提交."""
    card = await first_card(bot, group, who, command)
    for text in (said, *more):
        await bot.tap(card, who, "按计划推进")
        card = await bot.answer(card, who, text)
    summary = await bot.press(card, who, "没有")
    return await bot.press(summary, who, "确认提交")


async def test_a_week_corrected_before_its_deadline_says_one_line_and_keeps_both(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": ["李明", "王芳"]})
    group, li, wang = world.group("尉犁县"), world["李明"], world["王芳"]
    code, _ = world.add_items("尉犁县", 2, due_on="2026-06-30")
    await bot.settle(group)
    done = await fill_week(bot, group, li, "/weekly", "完成主体结构", "已约谈")
    assert done["text"].startswith("✅ 尉犁县已报送本周“工作台账”")
    again = await bot.command(group, wang, "/weekly")
    assert "无需重复报送" in again["text"] and "/correct" in again["text"]

    bot.clock.advance(hours=2)
    corrected = await fill_week(bot, group, wang, "/correct", "完成主体结构验收", "已约谈")
    assert corrected["text"] == f"已更正：{code} 整改进展：完成主体结构→完成主体结构验收"
    await bot.settle(group)
    assert bot.api.unread(group) == []  # one line, not the whole week again

    # the item said again as it was gains no copy of itself
    assert history(bot) == [
        ("完成主体结构", li["id"]),
        ("已约谈", li["id"]),
        ("完成主体结构验收", wang["id"]),
    ]
    with bot.db.unit_of_work() as s:
        rows = s.exec(select(ProgressUpdate).order_by(col(ProgressUpdate.id))).all()
        assert rows[2].created_at > rows[0].created_at
        trail = s.exec(select(AuditEvent).where(AuditEvent.action == "week.correct")).one()
        assert trail.actor_user_id == wang["id"]
        assert trail.after == {"changes": [f"{code} 整改进展：完成主体结构→完成主体结构验收"]}

    private = li.private  # corrected in the private chat: the group hears the one line
    await bot.settle(private)
    here = await fill_week(bot, private, li, "/correct", "已通过验收", "已约谈")
    line = f"已更正：{code} 整改进展：完成主体结构验收→已通过验收"
    assert here["text"] == line
    assert (await bot.api.next_message(group))["text"] == line


async def test_after_the_deadline_a_correction_is_asked_refused_then_approved(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": "李明"}, supervisors=["督办赵"])
    group, li, sup = world.group("尉犁县"), world["李明"], world["督办赵"]
    [code] = world.add_items("尉犁县", 1, due_on="2026-06-30")
    await bot.settle(group, sup.private)
    await fill_week(bot, group, li, "/weekly", "完成主体结构")
    bot.clock.advance(days=1)  # Tuesday: the week's deadline (Monday 18:00) has passed
    await bot.settle(group, sup.private)  # the digest and the like, read

    asked = await fill_week(bot, group, li, "/correct", "完成主体结构验收")
    assert asked["text"].startswith("已过截止时间，更正申请已提交督办")
    request = await bot.api.next_message(sup.private)
    assert request["text"].startswith("尉犁县申请更正已报送的“工作台账”")
    assert f"{code} 整改进展：完成主体结构→完成主体结构验收" in request["text"]
    with bot.db.unit_of_work() as s:  # nothing applied yet
        assert [r.text for r in s.exec(select(ProgressUpdate))] == ["完成主体结构"]

    why = await bot.press(request, sup, "不同意")
    refused = await bot.answer(why, sup, "数据与现场核查不符")
    assert (
        refused["text"] == "❌ 尉犁县的更正申请未获同意，理由：数据与现场核查不符。已报送内容不变。"
    )
    told = await bot.api.next_message(group)
    assert told["text"] == refused["text"]
    assert await bot.tap(request, sup, "同意更正") == "该更正申请已处理。"

    await fill_week(bot, group, li, "/correct", "完成主体结构验收")
    second = await bot.api.next_message(sup.private)
    approved = await bot.press(second, sup, "同意更正")
    assert approved["text"] == (
        f"✅ 尉犁县的更正申请已同意。已更正：{code} 整改进展：完成主体结构→完成主体结构验收"
    )
    told = await bot.api.next_message(group)
    assert told["text"] == approved["text"]
    # the liaison's words, applied on approval
    assert history(bot) == [("完成主体结构", li["id"]), ("完成主体结构验收", li["id"])]
    with bot.db.unit_of_work() as s:
        made = s.exec(select(Decision).order_by(col(Decision.id))).all()
        assert [(d.what, d.reason, d.by_user_id) for d in made] == [
            ("correction.rejected", "数据与现场核查不符", sup["id"]),
            ("correction.approved", "", sup["id"]),
        ]

    bot.clock.advance(days=7)  # the next week's report is due: that week is over
    await bot.settle(group)
    late = await bot.command(group, li, "/correct")
    assert (
        late["text"]
        == "尉犁县“工作台账”所属的一周已结束，不能再更正；如有出入，请在本周台账中说明。"
    )


async def test_the_workbook_and_the_mini_app_correct_the_week_as_the_chat_does(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": ["李明", "王芳"]})
    group, li, wang = world.group("尉犁县"), world["李明"], world["王芳"]
    [code] = world.add_items("尉犁县", 1, due_on="2026-06-30")
    await bot.settle(group)
    await fill_week(bot, group, li, "/weekly", "完成主体结构")

    card = await first_card(bot, group, wang, "/correct")  # by workbook
    form = await bot.press(card, wang, "下载填报表")
    content = filled(form["payload"], [("按计划推进", "完成主体结构验收", None, None, None)])
    await bot.api.send_file(
        group, wang, name="更正.xlsx", size=len(content), mime=XLSX, content=content, reply_to=form
    )
    preview = await bot.api.next_message(group)
    corrected = await bot.press(preview, wang, "确认提交")
    assert corrected["text"] == f"已更正：{code} 整改进展：完成主体结构→完成主体结构验收"

    card = await first_card(bot, group, li, "/correct")  # in the Mini App, from the card
    page = MiniApp(bot, li, start_param(app_url(card)))
    week = await page.week()
    [item] = week["items"]
    await page.answer(item["id"], status="plan", progress="已通过竣工验收")
    sent = len(bot.api.bot_messages(group))
    status, done = await page.submit()
    assert status == 200, done
    await bot.drained()
    assert [m["text"] for m in bot.api.bot_messages(group)[sent:]] == [
        f"已更正：{code} 整改进展：完成主体结构验收→已通过竣工验收"
    ]
    assert history(bot) == [
        ("完成主体结构", li["id"]),
        ("完成主体结构验收", wang["id"]),
        ("已通过竣工验收", li["id"]),
    ]


async def submit_file(bot: Harness, group: Group, who: Person, option: str, name: str) -> dict:
    """`who` submits the deliverable `option` with one file; the answer to 确认提交."""
    pick = await bot.command(group, who, "/submit")
    material = await bot.press(pick, who, option)
    await bot.api.send_file(group, who, name=name, size=80_000, reply_to=material)
    got = await bot.api.next_message(group)
    summary = await bot.press(got, who, "完成")
    return await bot.press(summary, who, "确认提交")


async def test_a_deliverable_replaced_before_its_deadline_keeps_the_old_file(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": ["李明", "王芳"]})
    group, li, wang = world.group("尉犁县"), world["李明"], world["王芳"]
    await bot.settle(group)
    first = await submit_file(bot, group, li, "自查自纠阶段总结（3月5日（周四）18:00）", "总结.pdf")
    assert first["text"].startswith("✅ 尉犁县已报送“自查自纠阶段总结”（按时报送）")

    bot.clock.advance(days=1)
    await bot.settle(group)
    again = "自查自纠阶段总结（已报送，截止前可更换材料）（3月5日（周四）18:00）"
    replaced = await submit_file(bot, group, wang, again, "总结（修订）.pdf")
    assert replaced["text"] == "已更正：自查自纠阶段总结 材料：总结.pdf→总结（修订）.pdf"

    with bot.db.unit_of_work() as s:
        row = s.exec(select(Submission).where(Submission.deadline_id.is_not(None))).one()
        assert [f["name"] for f in row.files] == ["总结（修订）.pdf"]
        assert row.by_user_id == li["id"]  # the first submission's time and sender stand
        trail = s.exec(select(AuditEvent).where(AuditEvent.action == "submission.replace")).one()
        assert trail.actor_user_id == wang["id"] and trail.at == bot.clock()
        assert [f["name"] for f in trail.before["files"]] == ["总结.pdf"]  # the old one, kept
        assert [f["name"] for f in trail.after["files"]] == ["总结（修订）.pdf"]

    bot.clock.advance(days=3)  # past the deadline: nothing to replace any more
    await bot.settle(group)
    late = await bot.command(group, wang, "/submit")
    assert "已报送，截止前可更换材料" not in str(late.get("reply_markup"))


async def test_after_its_deadline_a_deliverable_s_new_file_is_asked_then_approved_or_refused(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": "李明"}, supervisors=["督办赵"])
    group, li, sup = world.group("尉犁县"), world["李明"], world["督办赵"]
    await bot.settle(group, sup.private)
    await submit_file(bot, group, li, "自查自纠阶段总结（3月5日（周四）18:00）", "总结.pdf")
    bot.clock.advance(days=4)  # Friday 6 March: the deadline (Thursday 18:00) has passed
    await bot.settle(group, sup.private)

    late = "自查自纠阶段总结（已报送，截止后更换材料须经督办同意）（3月5日（周四）18:00）"
    asked = await submit_file(bot, group, li, late, "总结（修订）.pdf")
    change = "自查自纠阶段总结 材料：总结.pdf→总结（修订）.pdf"
    assert asked["text"] == f"已过截止时间，更正申请已提交督办，同意后生效：{change}"
    request = await bot.api.next_message(sup.private)
    assert request["text"].startswith("尉犁县申请更正已报送的“自查自纠阶段总结”")
    assert change in request["text"]

    def files() -> list[str]:
        with bot.db.unit_of_work() as s:
            row = s.exec(select(Submission).where(col(Submission.deadline_id).is_not(None))).one()
            return [f["name"] for f in row.files]

    assert files() == ["总结.pdf"]  # nothing replaced until a supervisor approves

    approved = await bot.press(request, sup, "同意更正")
    assert approved["text"] == f"✅ 尉犁县的更正申请已同意。已更正：{change}"
    told = await bot.api.next_message(group)
    assert told["text"] == approved["text"]
    assert await bot.tap(request, sup, "同意更正") == "该更正申请已处理。"  # a second press
    await bot.settle(group)
    assert bot.api.unread(group) == []  # the group told once
    assert files() == ["总结（修订）.pdf"]
    with bot.db.unit_of_work() as s:
        trail = s.exec(select(AuditEvent).where(AuditEvent.action == "submission.replace")).one()
        assert trail.actor_user_id == li["id"]  # the liaison's material, applied on approval
        assert [f["name"] for f in trail.before["files"]] == ["总结.pdf"]  # the old one, kept

    await submit_file(bot, group, li, late, "总结（第三版）.pdf")
    second = await bot.api.next_message(sup.private)
    data = second["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    status, board = await MiniApp(bot, sup).call("GET", "api/board")  # the board lists it too
    assert status == 200, board
    [card] = board["corrections"]
    assert (card["unit"], card["report"], card["by"]) == ("尉犁县", "自查自纠阶段总结", "李明")
    assert [(c["field"], c["before"], c["after"]) for c in card["changes"]] == [
        ("材料", "总结（修订）.pdf", "总结（第三版）.pdf")
    ]
    qid = await bot.api.press(told, li, data=data)  # a liaison forging the supervisor's 同意
    await bot.api.until(
        lambda: any(a["callback_query_id"] == qid for a in bot.api.callback_answers)
    )
    [forged] = [a for a in bot.api.callback_answers if a["callback_query_id"] == qid]
    assert forged.get("text") == "仅督办人员或管理员可以审核更正申请。"
    assert files() == ["总结（修订）.pdf"]
    why = await bot.press(second, sup, "不同意")
    refused = await bot.answer(why, sup, "材料未加盖公章")
    assert refused["text"] == "❌ 尉犁县的更正申请未获同意，理由：材料未加盖公章。已报送内容不变。"
    assert (await bot.api.next_message(group))["text"] == refused["text"]
    assert await bot.tap(second, sup, "同意更正") == "该更正申请已处理。"
    assert files() == ["总结（修订）.pdf"]  # nothing changed
    with bot.db.unit_of_work() as s:
        made = s.exec(select(Decision).order_by(col(Decision.id))).all()
        assert [(d.what, d.reason, d.by_user_id) for d in made] == [
            ("correction.approved", "", sup["id"]),
            ("correction.rejected", "材料未加盖公章", sup["id"]),
        ]
        assert (
            len(s.exec(select(AuditEvent).where(AuditEvent.action == "submission.replace")).all())
            == 1
        )
