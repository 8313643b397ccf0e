"""End to end: the week's preview is one call that shows what will be saved; an overdue problem
is marked 逾期 and reported on plan only with its reason and new date; a close-out asked from
the week comes back to it; a late update's reason and new date are shown afterwards in /item
and on the board."""

from __future__ import annotations

from typing import Any

import aiohttp
from sqlmodel import select

from storage import ledger
from storage.models import LedgerItem
from tests.e2e.test_miniapp_forms import PROBLEM
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, app_url, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App

# the sandbox's clock stands at Wednesday 10 January 2024; the items are due Friday 5 January
OVERDUE = "⚠️ 已超过办结时间，逾期3个工作日"


async def week_page(bot: Harness, group: dict[str, Any], li: dict[str, Any]) -> MiniApp:
    card = await bot.command(group, li, "/weekly")
    assert "（⚠️已逾期3个工作日）" in card["text"]  # the chat's card says it too
    return MiniApp(bot, li, start_param(app_url(card)))


async def preview(page: MiniApp, items: dict[int, dict[str, str]]) -> dict[str, Any]:
    status, shown = await page.call(
        "POST", "api/week/preview", json={"items": {str(k): v for k, v in items.items()}}
    )
    assert status == 200, shown
    return shown


async def test_the_preview_shows_each_problem_as_it_will_be_saved_in_one_call(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县"],
        liaisons={"轮台县": "李明"},
        supervisors=["督办赵"],
        supervisors_group="专班群",
    )
    group, li = world.group("轮台县"), world["李明"]
    overdue = world.add_items("轮台县", 2)
    world.add_items("轮台县", 1, due_on="2024-06-30")
    page = await week_page(bot, group, li)
    week = await page.week()
    first, second, third = (it["id"] for it in week["items"])
    assert [it["overdue"] for it in week["items"]] == [OVERDUE, OVERDUE, ""]
    assert week["items"][0]["delayed"] == ["plan", "late"]
    assert week["items"][2]["delayed"] == ["late"]

    # 按计划推进 on an overdue problem: its reason and new date are asked, as for 进度滞后
    on_plan = {"status": "plan", "progress": "主体结构已封顶"}
    shown = await preview(page, {first: on_plan, second: {"status": "same"}, third: on_plan})
    assert not shown["ready"]
    by_id = {it["id"]: it for it in shown["items"]}
    assert by_id[first]["missing"] == ["请填写滞后原因", "请选择新的计划完成日期"]
    assert by_id[third]["missing"] == [] and by_id[third]["overdue"] == ""
    past = {**on_plan, "reason": "资金未到位", "planned": "2024-01-08"}
    shown = await preview(page, {first: past})
    assert shown["items"][0]["errors"] == {
        "planned": "“2024-01-08”已经过去，请输入今天或以后的日期。"
    }

    explained = {**on_plan, "reason": "资金未到位", "planned": "2024-03-31"}
    late = {"status": "late", "progress": "评估机构更换", "reason": "原评估机构资质被暂停"}
    late |= {"planned": "2024-02-29"}
    shown = await preview(page, {first: explained, second: late, third: on_plan})
    assert shown["ready"], shown
    rows = [[(r["label"], r["value"]) for r in it["rows"]] for it in shown["items"]]
    assert rows[0] == [
        ("进展情况", "按计划推进"),
        ("整改进展", "主体结构已封顶"),
        ("滞后原因", "资金未到位"),
        ("新的计划完成日期", "3月31日（周日）"),
    ]
    assert rows[1][0] == ("进展情况", "进度滞后") and rows[1][-1][1] == "2月29日（周四）"
    assert rows[2] == [("进展情况", "按计划推进"), ("整改进展", "主体结构已封顶")]
    # the preview saved the answers: the week as reopened, and as submitted, is the same
    again = await page.week()
    assert again["items"][0]["answer"]["planned"] == "2024-03-31"
    status, done = await page.submit()
    assert status == 200, done
    await bot.drained()
    with bot.db.unit_of_work() as s:
        item = ledger.item_by_code(s, overdue[0])
        assert item is not None and item.fields["planned_on"] == "2024-03-31"

    # afterwards, /item and the board say why it is late and until when
    said = "主体结构已封顶（滞后原因：资金未到位；新的计划完成日期：3月31日（周日））"
    bot.api.mark_read(group)
    shown_item = await bot.command(group, li, f"/item {overdue[0]}")
    assert f"最新进展：{said}" in shown_item["text"]
    assert said in shown_item["text"].splitlines()[-1]  # its line in the history
    assert world.supervisors_group is not None
    zhao, sups = world["督办赵"], world.supervisors_group
    await bot.settle(sups)
    offer = await bot.command(sups, zhao, "/board")
    board = MiniApp(bot, zhao, start_param(offer["reply_markup"]["inline_keyboard"][0][0]["url"]))
    status, units = await board.call("GET", "api/board")
    unit = next(u for u in units["units"] if u["name"] == "轮台县")
    status, ledger_page = await board.call("GET", f"api/board/units/{unit['id']}")
    assert status == 200 and ledger_page["items"][0]["last"] == said
    status, history = await board.call("GET", f"api/board/items/{first}")
    assert status == 200 and said in history["history"][-1] and said in history["card"]


async def test_a_close_out_asked_from_the_week_comes_back_to_the_week(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    group, li, sup = world.group("轮台县"), world["李明"], world["督办赵"].private
    await bot.settle(sup, group)
    codes = world.add_items("轮台县", 2)
    assert li.private  # evidence is kept in the liaison's private chat
    page = await week_page(bot, group, li)
    week = await page.week()
    first, second = (it["id"] for it in week["items"])
    await page.answer(first, status="late", progress="已完成")  # begun, then closed out instead
    form = aiohttp.FormData()
    form.add_field("result", "过渡安置费已全部补发到户")
    form.add_field("file", b"%PDF-1.4 receipt", filename="凭证.pdf", content_type="application/pdf")
    status, said = await page.call("POST", f"api/items/{first}/closeout", data=form)
    assert status == 200, said
    week = await page.week()  # back in the week: the problem is the close-out's now
    closing = week["items"][0]
    assert closing["closing"] == "申请销号中" and closing["missing"] == []
    assert closing["answer"]["status"] == ""
    shown = await preview(page, {first: {"status": "plan"}, second: {"status": "same"}})
    assert shown["ready"] and shown["items"][0]["closing"] == "申请销号中"
    assert shown["items"][0]["rows"] == []  # nothing of the week is saved for it
    sent = len(bot.api.bot_messages(group))
    status, done = await page.submit()
    assert status == 200, done
    await bot.drained()
    words = "\n".join(done["said"] + [m["text"] for m in bot.api.bot_messages(group)[sent:]])
    assert "他人修改" not in words and "/item" not in words
    assert "更新2个问题，1个申请销号" in words
    with bot.db.unit_of_work() as s:
        rows = {i.code: i for i in s.exec(select(LedgerItem)).all()}
        assert rows[codes[0]].status == "closing"
        history = ledger.progress_of(s, first)
        assert [p.status for p in history] == ["done"]  # asked once, not saved again
    asks = [m for m in bot.api.bot_messages(sup) if codes[0] in m.get("text", "")]
    assert len(asks) == 1


async def test_a_new_problems_due_date_in_the_past_is_refused_in_the_form(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    offer = await bot.command(group, li, "/new")
    page = MiniApp(bot, li, start_param(app_url(offer)))
    problem = {**PROBLEM, "due_on": "2024-01-05", "source": "自查发现"}
    status, said = await page.call("POST", "api/new", json=problem)
    assert status == 422
    assert said["errors"] == {"due_on": "“2024-01-05”已经过去，请输入今天或以后的日期。"}
    status, said = await page.call("POST", "api/new", json={**problem, "due_on": "2024-01-10"})
    assert status == 200, said
