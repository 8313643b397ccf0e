"""End to end: the week's preview is one call that shows what will be saved; an overdue problem
is marked 逾期 and reported on plan only with its reason and new date; a close-out asked from
the week comes back to it; a late update's reason and new date are shown afterwards in /item
and on the board."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import select

from storage import ledger
from storage.models import LedgerItem
from tests.browser import keep, phone_browser
from tests.e2e.miniapp.test_liaison_reports_a_problem_in_the_mini_app import PROBLEM
from tests.e2e.weekly.test_liaison_does_the_week_in_the_browser import tap
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, app_url, init_data, page_url, start_param

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


SPY = """
window.__calls = [];
const sent = window.fetch;
window.fetch = (url, init) => {
  const path = String(url).split("/").slice(-3).join("/");
  window.__calls.push(((init && init.method) || "GET") + " " + path);
  return sent(url, init);
};
"""


def in_view(driver: WebDriver, element: Any) -> bool:
    """Whether the element's top is on the screen."""
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", element)
    return 0 <= float(top) < float(driver.execute_script("return window.innerHeight"))


def week_in_the_browser(driver: WebDriver, url: str, photo: Path) -> dict[str, Any]:
    """A close-out from the week, then the week: an overdue problem on plan with its reason
    and date, the preview (one request), a tap back to a problem, the submit; what was seen."""
    seen: dict[str, Any] = {}
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    driver.get(url)
    boxes = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "section.item")))
    ids = [b.get_attribute("id") for b in boxes]
    seen["overdue"] = [b.find_elements(By.CSS_SELECTOR, ".overdue") != [] for b in boxes]
    seen["overdue_text"] = boxes[0].find_element(By.CSS_SELECTOR, ".overdue").text

    # the first problem closed out from the week: its page, and back to the week
    tap(driver, driver.find_element(By.ID, ids[0]).find_element(By.CSS_SELECTOR, "h2 a"))
    form = wait.until(ec.presence_of_element_located((By.ID, "close-form")))
    seen["back_label"] = driver.find_element(By.ID, "back").text
    form.find_element(By.NAME, "result").send_keys("过渡安置费已全部补发到户")
    form.find_element(By.NAME, "evidence").send_keys(str(photo))
    tap(driver, driver.find_element(By.ID, "go"))
    closing = wait.until(
        lambda d: d.find_element(By.ID, ids[0]).find_elements(By.CSS_SELECTOR, ".closing")
    )
    seen["closing"] = closing[0].text
    keep(driver, "week-closing")

    # the second, overdue, on plan: asked for its reason and new date
    second = driver.find_element(By.ID, ids[1])
    tap(driver, second.find_element(By.XPATH, ".//label[contains(., '按计划推进')]"))
    second = driver.find_element(By.ID, ids[1])
    seen["asks_reason"] = second.find_elements(By.CSS_SELECTOR, "[data-f=reason]") != []
    second.find_element(By.CSS_SELECTOR, "[data-f=progress]").send_keys("主体结构已封顶")
    second.find_element(By.CSS_SELECTOR, "[data-f=reason]").send_keys("资金未到位")
    driver.execute_script(
        "arguments[0].value = '2024-03-31';"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        second.find_element(By.CSS_SELECTOR, "[data-f=planned]"),
    )
    third = driver.find_element(By.ID, ids[2])
    tap(driver, third.find_element(By.XPATH, ".//label[contains(., '按计划推进')]"))
    third = driver.find_element(By.ID, ids[2])
    seen["third_asks_reason"] = third.find_elements(By.CSS_SELECTOR, "[data-f=reason]") != []
    third.find_element(By.CSS_SELECTOR, "[data-f=progress]").send_keys("已完成入户调查")
    wait.until(lambda d: d.find_element(By.ID, "status").text == "已保存草稿")

    driver.execute_script(SPY)
    tap(driver, driver.find_element(By.ID, "go"))
    shown = wait.until(ec.presence_of_element_located((By.ID, "preview")))
    seen["calls"] = driver.execute_script("return window.__calls")
    seen["preview"] = shown.text
    keep(driver, "week-preview")
    # a tap on a problem in the preview: back to it, on screen, ready to change
    tap(
        driver,
        driver.find_element(By.ID, "preview-" + ids[2][5:]).find_element(By.CSS_SELECTOR, "h2 a"),
    )
    box = wait.until(ec.presence_of_element_located((By.ID, ids[2])))
    seen["back_in_view"] = in_view(driver, box)
    seen["focused_in_box"] = driver.execute_script(
        "return arguments[0].contains(document.activeElement)", box
    )
    tap(driver, driver.find_element(By.ID, "go"))
    wait.until(ec.presence_of_element_located((By.ID, "preview")))
    tap(driver, driver.find_element(By.ID, "go"))
    seen["said"] = wait.until(ec.presence_of_element_located((By.ID, "said"))).text
    return seen


async def test_in_the_browser_the_week_previews_in_one_request_and_a_close_out_comes_back(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    group, li = world.group("轮台县"), world["李明"]
    await bot.settle(world["督办赵"].private, group)
    world.add_items("轮台县", 2)
    world.add_items("轮台县", 1, due_on="2024-06-30")
    assert li.private
    card = await bot.command(group, li, "/weekly")
    link = start_param(app_url(card))
    url = page_url(bot, init_data(bot, li, start_param=link), link)
    photo = Path(tempfile.mkdtemp()) / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 2044)

    def browse() -> dict[str, Any]:
        with phone_browser() as driver:
            return week_in_the_browser(driver, url, photo)

    seen = await asyncio.to_thread(browse)
    assert seen["overdue"] == [True, True, False] and seen["overdue_text"] == OVERDUE
    assert seen["back_label"] == "返回本周台账"
    assert seen["closing"] == "申请销号中"
    assert seen["asks_reason"] and not seen["third_asks_reason"]
    assert seen["calls"] == ["POST api/week/preview"]  # one request, not one per problem
    for words in ("申请销号中", "滞后原因", "资金未到位", "3月31日（周日）", "已完成入户调查"):
        assert words in seen["preview"], seen["preview"]
    assert seen["back_in_view"] and seen["focused_in_box"]
    assert seen["said"].startswith("✅ 轮台县已报送本周“工作台账”"), seen["said"]
    assert "他人修改" not in seen["said"] and "/item" not in seen["said"]
    assert "1个申请销号" in seen["said"]


async def test_in_the_chat_on_plan_for_an_overdue_problem_asks_the_reason_and_a_new_date(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    (code,) = world.add_items("轮台县", 1)
    card = await bot.command(group, li, "/weekly")
    assert "（⚠️已逾期3个工作日）" in card["text"]
    await bot.tap(card, li, "按计划推进")
    why = await bot.answer(card, li, "主体结构已封顶")
    assert f"{code}：请说明滞后原因" in why["text"]
    when = await bot.answer(why, li, "资金未到位")
    assert "新的计划完成日期" in when["text"]
    past = await bot.answer(when, li, "2024年1月8日")
    assert "已经过去" in past["text"]
