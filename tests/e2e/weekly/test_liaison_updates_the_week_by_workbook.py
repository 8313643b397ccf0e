"""End to end: a week by workbook (下载填报表) ends where the same answers step by step do."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from openpyxl import load_workbook
from sqlmodel import col, select

from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import LedgerItem, ProgressUpdate, Submission, Unit
from tests.harness import Harness, MakeWorld
from workflows.problems.ledger import LedgerSpec, item_columns

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS = [
    {"name": "团结路棚改项目未按期回迁", "due_on": "2024-06-30", "category": "征收补偿环节"},
    {"name": "过渡安置费拖欠", "due_on": "2024-03-31", "category": "征收补偿环节"},
    {"name": "评估报告未送达", "due_on": "2024-02-29", "category": "房屋评估环节"},
]
# (status, 整改进展, 整改结果, 滞后原因, 计划完成时间) for each item: the week's answers
WEEK = [
    ("按计划推进", "主体结构已验收", None, None, None),
    ("已完成，申请销号", None, "过渡安置费已全部补发到户", None, None),
    ("进度滞后", "评估机构更换", None, "原评估机构资质被暂停", date(2024, 3, 31)),
]


def seed(bot: Harness, unit: str) -> None:
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        target = campaigns.unit_named(s, camp.id, unit)
        for values in ITEMS:
            ledger.create_item(s, target, item_columns(values, LedgerSpec()), Stamp(bot.clock()))


async def setting(bot: Harness, make_world: MakeWorld) -> tuple[dict, dict, dict, dict, dict]:
    world = await make_world(
        units=["轮台县", "尉犁县"],
        liaisons={"轮台县": "李明", "尉犁县": "刘芳"},
        supervisors=["督办赵"],
    )
    luntai, yuli = world.group("轮台县"), world.group("尉犁县")
    li, liu = world["李明"], world["刘芳"]
    sup_chat = world["督办赵"].private
    await bot.settle(sup_chat, luntai, yuli)
    seed(bot, "轮台县")
    seed(bot, "尉犁县")
    return luntai, yuli, li, liu, sup_chat


async def step_by_step(bot: Harness, group: dict, li: dict) -> dict:
    """轮台县's week, item by item, as the liaison answers in the group."""
    first = await bot.command(group, li, "/weekly")
    await bot.tap(first, li, WEEK[0][0])  # a status that needs progress: a toast
    second = await bot.answer(first, li, WEEK[0][1])  # the reply to the card
    result = await bot.press(second, li, WEEK[1][0])
    evidence = await bot.answer(result, li, WEEK[1][2])
    await bot.api.send_file(group, li, name="发放凭证.pdf", size=80_000, reply_to=evidence)
    got = await bot.api.next_message(group)
    third = await bot.press(got, li, "完成")
    await bot.tap(third, li, WEEK[2][0])
    reason = await bot.answer(third, li, WEEK[2][1])
    planned = await bot.answer(reason, li, WEEK[2][3])
    check = await bot.answer(planned, li, "2024年3月31日")
    new_q = await bot.press(check, li, "正确")
    summary = await bot.press(new_q, li, "没有")
    return await bot.press(summary, li, "确认提交")


def filled(content: bytes, week: list[tuple]) -> bytes:
    """The form as the liaison fills it in Excel: the yellow columns, row by row."""
    book = load_workbook(io.BytesIO(content))
    sheet = book["填报表"]
    for row, answers in zip(sheet.iter_rows(min_row=4, max_row=3 + len(week)), week, strict=True):
        for cell, value in zip(row[4:9], answers, strict=True):
            cell.value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def send_filled_form(
    bot: Harness, group: dict, who: dict, week: list[tuple], name: str = "填报表.xlsx"
) -> tuple[dict, dict]:
    """/weekly, 下载填报表, the form filled with `week` sent back in reply: (form, preview)."""
    start = await bot.command(group, who, "/weekly")  # the first item's card, left unanswered
    form = await bot.press(start, who, "下载填报表")
    content = filled(form["payload"], week)
    await bot.api.send_file(
        group, who, name=name, size=len(content), mime=XLSX, content=content, reply_to=form
    )
    return form, await bot.api.next_message(group)


async def by_workbook(bot: Harness, group: dict, liu: dict) -> dict:
    """尉犁县's week: /weekly, 下载填报表, the filled form in reply, the evidence, confirm."""
    form, preview = await send_filled_form(bot, group, liu, WEEK, "尉犁县填报表.xlsx")
    assert form["caption"] == "📋 尉犁县本周填报表（3个整改中的问题）。填写后请回复本消息发送文件。"
    assert preview["text"].splitlines() == [
        "尉犁县本周台账",
        "尉犁-001 团结路棚改项目未按期回迁：按计划推进",
        "尉犁-002 过渡安置费拖欠：已完成，申请销号",
        "尉犁-003 评估报告未送达：进度滞后",
        "确认提交后将一并保存。",
        "📎 申请销号须附印证材料：尉犁-002。"
        "请回复本消息发送照片或文件（多个问题时在说明中写明编号）。",
    ]
    answered = len(bot.api.callback_answers)
    await bot.api.press(preview, liu, "确认提交")
    await bot.api.until(lambda: len(bot.api.callback_answers) > answered)
    assert "申请销号须附印证材料：尉犁-002" in bot.api.callback_answers[-1]["text"]
    await bot.api.send_file(group, liu, name="发放凭证.pdf", size=80_000, reply_to=preview)
    ready = await bot.api.next_message(group)
    assert ready["text"].splitlines()[0] == "已收到 尉犁-002 的印证材料：发放凭证.pdf"
    assert ready["text"].splitlines()[-1] == "确认提交后将一并保存。"
    return await bot.press(ready, liu, "确认提交")


def saved_state(bot: Harness, unit: str) -> dict[str, Any]:
    """What the week left in the database for a unit, without ids, codes or the unit's name."""
    with bot.db.unit_of_work() as s:
        unit_id = s.exec(select(Unit.id).where(Unit.name == unit)).one()
        items = s.exec(
            select(LedgerItem).where(LedgerItem.unit_id == unit_id).order_by(col(LedgerItem.seq))
        ).all()
        seq = {i.id: i.seq for i in items}
        updates = s.exec(
            select(ProgressUpdate)
            .where(col(ProgressUpdate.item_id).in_(seq))
            .order_by(col(ProgressUpdate.id))
        ).all()
        (submission,) = s.exec(select(Submission).where(Submission.unit_id == unit_id)).all()
        return {
            "items": [(i.seq, i.status, i.version, i.fields, i.due_on) for i in items],
            "progress": [
                (
                    seq[p.item_id],
                    p.week_of,
                    p.status,
                    p.text,
                    p.result,
                    p.reason,
                    p.new_due_on,
                    [(f["name"], f["media"], f["size"]) for f in p.files],
                    p.created_at,
                )
                for p in updates
            ],
            "submission": (submission.report_name, submission.period_start, submission.on_time),
        }


async def test_a_week_by_workbook_ends_where_the_same_answers_step_by_step_do(
    bot: Harness, make_world: MakeWorld
) -> None:
    luntai, yuli, li, liu, sup_chat = await setting(bot, make_world)
    stepwise = await step_by_step(bot, luntai, li)
    workbook = await by_workbook(bot, yuli, liu)
    assert stepwise["text"].startswith("✅ 轮台县已报送本周“工作台账”（按时报送）")
    assert workbook["text"] == stepwise["text"].replace("轮台县", "尉犁县")
    assert saved_state(bot, "尉犁县") == saved_state(bot, "轮台县")
    assert saved_state(bot, "尉犁县")["progress"][2][3:7] == (
        "评估机构更换",
        "",
        "原评估机构资质被暂停",
        date(2024, 3, 31),
    )
    # each file named with its own Telegram id: two files sent, two ids
    requests = [  # (this test's files have no content to fetch: no hash, Telegram's id)
        re.sub(
            r"收到，(未取得哈希（[^）]*），Telegram文件标识)?\w+）",
            "收到）",
            (await bot.api.next_message(sup_chat))["text"],
        )
        for _ in range(2)
    ]
    assert requests[1] == requests[0].replace("轮台县", "尉犁县").replace("轮台-", "尉犁-")
    again = await bot.command(yuli, liu, "/weekly")
    assert "无需重复报送" in again["text"]


async def test_a_form_filled_wrong_is_refused_by_the_step_by_step_rules(
    bot: Harness, make_world: MakeWorld
) -> None:
    _, yuli, _, liu, _ = await setting(bot, make_world)
    start = await bot.command(yuli, liu, "/weekly")
    form = await bot.press(start, liu, "下载填报表")
    content = filled(
        form["payload"],
        [
            ("还行", None, None, None, None),
            ("按计划推进", None, None, None, None),
            ("进度滞后", "评估机构更换", None, None, date(2023, 12, 31)),
        ],
    )
    await bot.api.send_file(
        yuli, liu, name="填报表.xlsx", size=len(content), mime=XLSX, content=content, reply_to=form
    )
    refused = await bot.api.next_message(yuli)
    with bot.db.unit_of_work() as s:
        assert s.exec(select(Submission)).all() == []
    assert refused["text"].splitlines() == [
        "❌ 填报表“填报表.xlsx”有4处问题，未保存。请改正后重新发送：",
        "工作表“填报表”第4行 E列“进展情况”：“还行”不是可选的进展情况，请从下拉列表中选择"
        "（按计划推进、已完成，申请销号、进度滞后、本周无变化）",
        "工作表“填报表”第5行 F列“整改进展”：请填写“整改进展”",
        "工作表“填报表”第6行 H列“滞后原因”：请填写“滞后原因”",
        "工作表“填报表”第6行 I列“计划完成时间”：“2023-12-31”已经过去，请输入今天或以后的日期。",
    ]
