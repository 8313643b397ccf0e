"""End to end: a new problem and a close-out request as forms of the Mini App, checked by the
same steps as /new and /close and saved by the same code; in English too."""

from __future__ import annotations

import aiohttp
from sqlmodel import select

from storage.models import LedgerItem
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, app_url, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App


PROBLEM = {
    "name": "团结路棚改项目未按期回迁",
    "summary": "回迁安置房建设滞后",
    "category": "征收补偿环节",
    "measures": "督促施工单位加快进度",
    "due_on": "2024-06-30",
    "lead": "县住建局 张伟",
    "remarks": "",
}


async def test_a_new_problem_in_the_form_is_checked_by_the_steps_of_new(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    offer = await bot.command(group, li, "/new")  # one message: the form, or the steps
    assert offer["text"].startswith("请点击下方按钮在表单中填写新问题")
    page = MiniApp(bot, li, start_param(app_url(offer)))
    status, opened = await page.call("GET", "api/open")
    assert (status, opened["page"]) == (200, "new")
    status, form = await page.call("GET", "api/new")
    assert [f["label"] for f in form["fields"]] == [
        "突出问题名称",
        "主要案情",
        "问题分类",
        "处置措施预案",
        "办结时间",
        "牵头部门及责任人员",
        "备注",
        "问题来源",
    ]
    category = next(f for f in form["fields"] if f["field"] == "category")
    assert [o["value"] for o in category["options"]] == [
        "房屋评估环节",
        "征收补偿环节",
        "依法行政环节",
    ]
    wrong = {**PROBLEM, "category": "拆迁环节", "due_on": "2月30日", "lead": ""}
    status, said = await page.call("POST", "api/new", json=wrong)
    assert status == 422
    assert said["errors"] == {
        "category": "“拆迁环节”不在可选项中，请点击按钮选择。",
        "due_on": "无法识别的日期“2月30日”",
        "lead": "此项必填",
        "source": "此项必填",
    }
    with bot.db.unit_of_work() as s:
        assert s.exec(select(LedgerItem)).all() == []
    status, said = await page.call("POST", "api/new", json={**PROBLEM, "source": "自查发现"})
    assert status == 200, said
    assert said["said"] == ["已新增问题 轮台-001。"]
    with bot.db.unit_of_work() as s:
        (item,) = s.exec(select(LedgerItem)).all()
        assert (item.name, item.category, str(item.due_on), item.lead) == (
            "团结路棚改项目未按期回迁",
            "征收补偿环节",
            "2024-06-30",
            "县住建局 张伟",
        )
    steps = await bot.press(offer, li, "逐项填写")  # the chat flow stays
    assert steps["text"].splitlines()[1] == "请输入“突出问题名称”："


async def test_a_close_out_request_with_its_evidence_from_the_problems_page(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    group, li = world.group("轮台县"), world["李明"]
    sup = world["督办赵"].private
    await bot.settle(sup, group)
    (code,) = world.add_items("轮台县", 1)
    assert li.private
    await bot.command(group, li, "/lang en")
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    week = await page.week()
    assert week["title"].startswith("轮台县: this week")
    item = week["items"][0]["id"]
    status, shown = await page.call("GET", f"api/items/{item}")
    assert (status, shown["closable"], shown["title"]) == (200, True, f"Close out {code}")
    form = aiohttp.FormData(default_to_multipart=True)  # as the page's FormData is sent
    form.add_field("result", "")
    status, said = await page.call("POST", f"api/items/{item}/closeout", data=form)
    assert status == 422
    assert said["errors"] == {
        "result": "Required",
        "evidence": "Upload the evidence (a photo or a file)",
    }
    form = aiohttp.FormData()
    form.add_field("result", "过渡安置费已全部补发到户")
    form.add_field(
        "file", b"%PDF-1.4 receipt", filename="receipt.pdf", content_type="application/pdf"
    )
    status, said = await page.call("POST", f"api/items/{item}/closeout", data=form)
    assert status == 200, said
    with bot.db.unit_of_work() as s:
        row = s.exec(select(LedgerItem)).one()
        assert row.status == "closing"
    await bot.drained()
    request = await bot.api.next_message(sup)
    assert code in request["text"] and "receipt.pdf" in request["text"]
    status, again = await page.call("GET", f"api/items/{item}")
    assert again["closable"] is False and again["why_not"]
