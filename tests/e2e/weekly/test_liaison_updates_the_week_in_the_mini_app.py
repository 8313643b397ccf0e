"""End to end: the week in the Mini App ends where the same answers in the chat and in the
workbook do, and costs the group one message."""

from __future__ import annotations

from datetime import date

from tests.e2e.weekly.test_liaison_updates_the_week_by_workbook import (
    WEEK,
    by_workbook,
    saved_state,
    seed,
    step_by_step,
)
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, app_url, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App


STATUS = {"按计划推进": "plan", "已完成，申请销号": "done", "进度滞后": "late"}


async def by_mini_app(bot: Harness, group: dict, person: dict) -> dict:
    """且末县's week in the form: the link from /weekly's card, each item answered, the
    evidence uploaded, one submit."""
    card = await bot.command(group, person, "/weekly")
    link = start_param(app_url(card))
    page = MiniApp(bot, person, link)
    week = await page.week()
    assert [it["code"] for it in week["items"]] == ["且末-001", "且末-002", "且末-003"]
    for item, (status, progress, result, reason, planned) in zip(week["items"], WEEK, strict=True):
        answers = {"status": STATUS[status], "progress": progress or "", "result": result or ""}
        answers |= {"reason": reason or "", "planned": planned.isoformat() if planned else ""}
        got = await page.answer(item["id"], **answers)
        assert got["errors"] == {}
    evidence = (week["items"][1]["id"], "发放凭证.pdf", b"%PDF" + b"0" * 79_996, "application/pdf")
    code, data = await page.upload(*evidence)
    assert code == 403  # the bot keeps the file in the person's private chat: not opened yet
    assert data["error"].startswith("请先在私聊中向机器人发送 /start")
    assert person.private  # the person starts the private chat
    code, data = await page.upload(*evidence)
    assert code == 200, data
    assert data["answer"]["files"] == [{"name": "发放凭证.pdf", "media": "document"}]
    # a second file sent by mistake, taken back before the week is submitted
    wrong = (evidence[0], "错传.pdf", b"%PDF" + b"1" * 996, "application/pdf")
    code, data = await page.upload(*wrong)
    assert code == 200 and len(data["answer"]["files"]) == 2, data
    code, data = await page.call("DELETE", f"api/week/items/{evidence[0]}/files/1")
    assert code == 200, data
    assert data["answer"]["files"] == [{"name": "发放凭证.pdf", "media": "document"}]
    code, data = await page.call("DELETE", f"api/week/items/{evidence[0]}/files/x")
    assert code == 404, data
    sent = len(bot.api.bot_messages(group))
    code, done = await page.submit()
    assert code == 200, done
    await bot.drained()
    posted = bot.api.bot_messages(group)[sent:]
    assert len(posted) == 1  # the week's one message in the group
    return posted[0]


async def test_the_week_in_the_mini_app_ends_where_the_chat_and_the_workbook_do(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县", "且末县"],
        liaisons={"轮台县": "李明", "尉犁县": "刘芳", "且末县": "赵敏"},
        supervisors=["督办赵"],
    )
    sup_chat = world["督办赵"].private
    groups = [world.group(u) for u in ("轮台县", "尉犁县", "且末县")]
    await bot.settle(sup_chat, *groups)
    for unit in ("轮台县", "尉犁县", "且末县"):
        seed(bot, unit)
    stepwise = await step_by_step(bot, groups[0], world["李明"])
    await by_workbook(bot, groups[1], world["刘芳"])
    in_form = await by_mini_app(bot, groups[2], world["赵敏"])
    assert in_form["text"].splitlines()[0] == stepwise["text"].splitlines()[0].replace(
        "轮台县", "且末县"
    )
    assert saved_state(bot, "且末县") == saved_state(bot, "轮台县") == saved_state(bot, "尉犁县")
    assert saved_state(bot, "且末县")["progress"][2][3:7] == (
        "评估机构更换",
        "",
        "原评估机构资质被暂停",
        date(2024, 3, 31),
    )
    bot.api.mark_read(groups[2])
    again = await bot.command(groups[2], world["赵敏"], "/weekly")
    assert "无需重复报送" in again["text"]


async def test_in_private_a_web_app_button_and_the_menu_open_the_same_week(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    li = world["李明"]
    world.add_items("轮台县", 1)
    assert bot.api.menu_buttons[0]["type"] == "web_app"  # every private chat's menu button
    assert bot.api.menu_buttons[0]["web_app"]["url"] == bot.web_url
    card = await bot.command(li.private, li, "/weekly")
    url = app_url(card)  # a web_app button: the page's URL, our payload in its query
    assert url.startswith(bot.web_url + "?startapp=")
    page = MiniApp(bot, li, data=None)  # initData without start_param, as a web_app opens
    page.headers["X-Taizhang-Link"] = start_param(url)
    week = await page.week()
    assert week["where"] == "private" and [i["code"] for i in week["items"]] == ["轮台-001"]
    item = week["items"][0]["id"]
    await page.answer(item, status="same")
    menu = MiniApp(bot, li)  # the menu button: no link; the liaison's only unit
    assert (await menu.week())["items"][0]["answer"]["status"] == "same"  # one draft
    code, done = await menu.submit()
    assert code == 200, done
    await bot.drained()
    assert bot.api.bot_messages(world.group("轮台县"))[-1]["text"].startswith("✅ 轮台县已报送")
