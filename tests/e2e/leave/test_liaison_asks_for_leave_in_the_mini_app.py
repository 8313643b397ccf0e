"""请假 in the Mini App: the form's API (recorded once per action id, bad input refused under
its field with nothing saved, people without the role refused), ended early; the board's
请假与代岗 panel; and both pages in a real browser at a phone's 390 px."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import select

from storage import campaigns
from storage.models import Leave, saved_id
from tests.browser import PHONE, keep, sized_browser, too_small
from tests.e2e.board.test_supervisor_reads_the_board import board_link
from tests.harness import Harness, MakeWorld, World
from tests.miniapp import MiniApp, init_data, page_url

MINI_APP = True  # the `bot` fixture serves the Mini App


def leaves(bot: Harness) -> list[Leave]:
    with bot.database().unit_of_work() as s:
        return list(s.exec(select(Leave).order_by(Leave.id)))


def today(bot: Harness) -> date:
    return bot.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()


async def leave_world(make_world: MakeWorld) -> World:
    world = await make_world(
        units=["轮台县", "尉犁县"],
        liaisons={"轮台县": ["李明", "王华"], "尉犁县": "刘芳"},
        supervisors=["督办赵"],
        people=["路人甲"],
        supervisors_group="专班群",
    )
    await world.bot.settle(world["督办赵"].private)
    return world


async def test_leave_by_the_form_once_per_action_and_refused_when_wrong(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await leave_world(make_world)
    li, wang, liu = world["李明"], world["王华"], world["刘芳"]
    page = MiniApp(bot, li)
    status, form = await page.call("GET", "api/leave")
    assert status == 200, form
    assert [o["label"] for o in form["deputies"]] == ["王华", "不指定（由本单位其他联络员代岗）"]
    assert form["current"] == [] and form["today"] == today(bot).isoformat()

    day = today(bot)
    iso = lambda n: (day + timedelta(days=n)).isoformat()  # noqa: E731
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"first": iso(3), "last": iso(1), "deputy": str(wang["id"])}, "last"),
        ({"first": iso(-2), "last": iso(1), "deputy": str(wang["id"])}, "first"),
        ({"first": iso(1), "last": iso(2), "deputy": str(liu["id"])}, "deputy"),  # 尉犁县's
        ({"first": iso(1), "last": iso(2), "deputy": str(li["id"])}, "deputy"),  # oneself
        ({"first": iso(1), "last": iso(2), "deputy": "王华"}, "deputy"),
        ({"first": "3月4日", "last": iso(2)}, "first"),
    ]
    for n, (body, field) in enumerate(wrong):
        status, said = await page.call("POST", "api/leave", action=f"leave-bad-{n:04d}", json=body)
        assert status == 422 and field in said["errors"], (body, said)
        assert said["error"] == said["errors"][field]
    assert leaves(bot) == []

    good = {"first": iso(1), "last": iso(3), "deputy": str(wang["id"])}
    first = await page.call("POST", "api/leave", action="leave-ok-00001", json=good)
    again = await page.call("POST", "api/leave", action="leave-ok-00001", json=good)  # a retry
    assert first == again and first[0] == 200
    assert first[1]["said"][0].startswith("✅ 已登记请假：")
    (row,) = leaves(bot)
    assert (row.user_id, row.deputy_user_id) == (li["id"], wang["id"])
    overlap = await page.call("POST", "api/leave", action="leave-ok-00002", json=good)
    assert overlap[0] == 422 and "日期不能重叠" in overlap[1]["error"]

    # only the liaison themself: not the supervisor, not a stranger, not a forged initData
    for person in (world["督办赵"], world["路人甲"]):
        status, said = await MiniApp(bot, person).call(
            "POST", "api/leave", action="leave-who-0001", json=good
        )
        assert status == 403 and said["error"], said
    forged = init_data(bot, li).replace("hash=", "hash=0")
    status, _ = await MiniApp(bot, li, data=forged).call("GET", "api/leave")
    assert status == 401
    assert len(leaves(bot)) == 1

    # ended early: someone else cannot, the liaison can, once
    status, form = await page.call("GET", "api/leave")
    (current,) = form["current"]
    assert current["text"].startswith("您的请假：") and "代岗：王华" in current["text"]
    other = await MiniApp(bot, wang).call(
        "POST", "api/leave/end", action="leave-end-0001", json={"id": current["id"]}
    )
    assert other[0] == 409
    ended = await page.call(
        "POST", "api/leave/end", action="leave-end-0002", json={"id": current["id"]}
    )
    assert ended[0] == 200 and ended[1]["said"] == ["✅ 已销假，本单位的提醒恢复发送给您。"]
    (row,) = leaves(bot)
    assert row.ended_early_at is not None


async def test_the_board_shows_leave_and_a_unit_with_nobody_present(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await leave_world(make_world)
    li, wang, zhao = world["李明"], world["王华"], world["督办赵"]
    day = today(bot)
    iso = lambda n: (day + timedelta(days=n)).isoformat()  # noqa: E731
    for n, (person, deputy) in enumerate(((li, wang), (wang, li))):
        status, said = await MiniApp(bot, person).call(
            "POST",
            "api/leave",
            action=f"leave-both-{n:04d}",
            json={"first": iso(0), "last": iso(2 + n), "deputy": str(deputy["id"])},
        )
        assert status == 200, said

    link = await board_link(bot, world)
    status, data = await MiniApp(bot, zhao, link).call("GET", "api/board/leave")
    assert status == 200
    (unit,) = data["units"]
    assert unit["unit"] == "轮台县" and unit["nobody"]
    assert unit["lines"][0].startswith("李明：") and unit["lines"][0].endswith("代岗：王华")
    refused, _ = await MiniApp(bot, li, link).call("GET", "api/board/leave")
    assert refused == 403

    board_url = page_url(bot, init_data(bot, zhao, start_param=link), link)
    form_url = page_url(bot, init_data(bot, world["刘芳"]))

    def browse() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        with sized_browser(PHONE) as driver:
            wait = WebDriverWait(driver, 20)
            driver.get(board_url)
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#leave li")))
            panel = driver.find_element(By.ID, "leave")
            driver.execute_script("arguments[0].scrollIntoView()", panel)
            seen["heading"] = panel.find_element(By.TAG_NAME, "h2").text
            seen["rows"] = [r.text for r in panel.find_elements(By.TAG_NAME, "li")]
            seen["marked"] = len(panel.find_elements(By.CSS_SELECTOR, "li.bad"))
            seen["board_overflow"] = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            keep(driver, "board-390-leave")

            # 刘芳 records leave from the week's page: the form, a date, the footer's button
            driver.get("about:blank")  # another person's page: loaded afresh, not a new #hash
            driver.get(form_url)
            wait.until(ec.element_to_be_clickable((By.ID, "leave-open"))).click()
            wait.until(ec.presence_of_element_located((By.ID, "leave-form")))
            seen["small"] = too_small(driver)
            seen["form_overflow"] = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            driver.execute_script(
                "document.querySelector('[name=last]').value = arguments[0]", iso(4)
            )
            keep(driver, "leave-390-form")
            # two taps, the second while the first is out: one leave, one answer
            driver.execute_script(
                "const go = arguments[0]; go.click(); go.click();", driver.find_element(By.ID, "go")
            )
            wait.until(ec.presence_of_element_located((By.ID, "said")))
            seen["said"] = driver.find_element(By.ID, "said").text
            seen["note"] = driver.find_element(By.ID, "note").text
            keep(driver, "leave-390-said")

            # opened again: the leave recorded, with its 提前销假 button, a full-size target
            driver.get("about:blank")
            driver.get(form_url)
            wait.until(ec.element_to_be_clickable((By.ID, "leave-open"))).click()
            end = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".leave-end")))
            seen["current"] = driver.find_element(By.CSS_SELECTOR, ".leave-current p").text
            seen["small_again"] = too_small(driver)
            keep(driver, "leave-390-current")
            end.click()
            wait.until(ec.presence_of_element_located((By.ID, "said")))
            seen["ended"] = driver.find_element(By.ID, "said").text
        return seen

    seen = await asyncio.to_thread(browse)
    assert seen["heading"] == "请假与代岗"
    assert seen["rows"][0].startswith("轮台县 · 无人在岗") and seen["marked"] == 1
    assert seen["board_overflow"] <= 0 and seen["form_overflow"] <= 0
    assert seen["small"] == []
    assert seen["said"].startswith("✅ 已登记请假：") and "代岗：本单位其他联络员" in seen["said"]
    assert seen["note"] == "请假登记"  # the answer by the thumb, at the footer
    assert [r.user_id for r in leaves(bot)].count(world["刘芳"]["id"]) == 1
    assert seen["current"].startswith("您的请假：") and seen["small_again"] == []
    assert seen["ended"] == "✅ 已销假，本单位的提醒恢复发送给您。"


async def test_a_urging_from_the_board_goes_to_the_deputy_while_the_liaison_is_away(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await leave_world(make_world)
    li, wang, zhao = world["李明"], world["王华"], world["督办赵"]
    await bot.command(wang.private, wang, "/start")
    day = today(bot)
    status, said = await MiniApp(bot, li).call(
        "POST",
        "api/leave",
        action="leave-urge-0001",
        json={
            "first": day.isoformat(),
            "last": (day + timedelta(days=2)).isoformat(),
            "deputy": str(wang["id"]),
        },
    )
    assert status == 200, said
    group = world.group("轮台县")
    await bot.settle(group, wang.private, li.private)

    link = await board_link(bot, world)
    with bot.database().unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, saved_id(camp), "轮台县") if camp else None
        unit_id = saved_id(unit) if unit else 0
    status, said = await MiniApp(bot, zhao, link).call(
        "POST", f"api/board/units/{unit_id}/urge", action="urge-leave-0001", json={}
    )
    assert status == 200, said
    urged = await bot.api.next_message(group)
    assert "李明（请假至" in urged["text"] and "请 王华 代为办理" in urged["text"]
    assert f"tg://user?id={wang['id']}" in urged["html"]
    assert f"tg://user?id={li['id']}" not in urged["html"]
    copy = await bot.api.next_message(wang.private)
    assert copy["text"].startswith("【代岗提醒·轮台县】")
    await bot.settle()
    assert bot.api.unread(li.private) == []
