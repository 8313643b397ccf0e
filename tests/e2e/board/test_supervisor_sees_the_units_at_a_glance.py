"""The board at a glance, in a real browser at 390 and 1280 px: at 10:00 on report day (the
week's 工作台账 due at 18:00) no unit is red for a report not yet due — a unit with an overdue
problem is, one whose week is in is green, the others are yellow, each said in words; the
figures on top are the campaign's; a unit is found by name, the units sorted, a unit's ledger
filtered by status; the charts are drawn by the page; every control is at least 44 px tall and
every link 24 px; the downloads are named for what they are. At 18:00 the week not in turns
red."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser import ARTIFACTS, DESK, PHONE, keep, sized_browser, too_small
from tests.e2e.board.test_supervisor_reads_the_board import ask_closeout, board_link, sups
from tests.harness import Harness, MakeWorld, World
from tests.miniapp import MiniApp, app_url, init_data, page_url, start_param

MINI_APP = True
MONDAY_10 = datetime(2024, 3, 4, 2, tzinfo=UTC)  # Monday 4 March 2024, 10:00 in Beijing
THURSDAY_10 = MONDAY_10 - timedelta(days=4)  # a case forwarded then is due Monday 18:00
DARK = '{"bg_color":"#17212b","text_color":"#f5f5f5","hint_color":"#708499","link_color":"#6ab3f3","button_color":"#5288c1","button_text_color":"#ffffff","secondary_bg_color":"#232e3c"}'  # noqa: E501  Telegram's night theme


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    """The bot, its Mini App served, its clock at 10:00 on the Thursday before a report day
    (工作台账: 周一18:00)."""
    harness = Harness(db_url, mini_app=True, start=THURSDAY_10)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def report_day(make_world: MakeWorld) -> World:
    """库尔勒市 has a problem past its 办结时间; 轮台县 two due in June, its week sent at 10:00
    by the Mini App (one problem done, its close-out asked); 尉犁县 one due on Wednesday and a
    case forwarded on Thursday, due today at 18:00; the seven others nothing yet."""
    world = await make_world(
        units=["轮台县", "尉犁县", "库尔勒市"],
        liaisons={"轮台县": "李明", "尉犁县": "刘芳", "库尔勒市": "王强"},
        supervisors=["督办赵"],
        supervisors_group="专班群",
    )
    world.add_items("库尔勒市", 1, due_on="2024-03-01", by=world["王强"])
    world.add_items("轮台县", 2, due_on="2024-06-30", by=world["李明"])
    world.add_items("尉犁县", 1, due_on="2024-03-06", by=world["刘芳"])  # due Wednesday
    bot, group, li = world.bot, world.group("轮台县"), world["李明"]
    await bot.command(sups(world), world["督办赵"], "/forward 尉犁县 安置房产权证办理")
    bot.clock.at = MONDAY_10
    groups = [world.group(u) for u in ("轮台县", "尉犁县", "库尔勒市")]
    await bot.settle(world["督办赵"].private, sups(world), *groups)
    await ask_closeout(bot, group, li, "轮台-002")  # done: its close-out waits on supervisors
    await bot.drained()
    await bot.settle(group)
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    for item in (await page.week())["items"]:
        answers = {"status": "plan", "progress": "按计划推进中", "result": "", "reason": ""}
        got = await page.answer(item["id"], **answers, planned="")
        assert got["errors"] == {}, got
    status, done = await page.submit()
    assert status == 200, done
    await bot.drained()
    return world


def overflowing_text(driver: WebDriver) -> int:
    """How far the page is wider than the window (0: nothing to scroll sideways)."""
    return int(
        driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    )


def glance(driver: WebDriver, url: str, tag: str) -> dict[str, Any]:
    """The board opened; its figures, units, charts read; a unit found, the units sorted, a
    ledger filtered; what was seen."""
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    driver.get(url)
    wait.until(ec.presence_of_element_located((By.ID, "figures")))
    units = driver.find_elements(By.CSS_SELECTOR, "#unit-list .unit")
    seen: dict[str, Any] = {
        "sub": driver.find_element(By.ID, "sub").text,
        "figures": {
            e.get_attribute("id"): e.text
            for e in driver.find_elements(By.CSS_SELECTOR, "#figures [id^=fig-]")
        },
        "units": [
            (
                u.find_element(By.TAG_NAME, "strong").text,
                u.get_attribute("data-colour"),
                u.find_element(By.CSS_SELECTOR, ".badge").text,
                u.text,
                u.value_of_css_property("border-left-color"),
            )
            for u in units
        ],
        "red": driver.execute_script(
            "return getComputedStyle(document.body).getPropertyValue('--red')"
        ),
        "bars": [
            li.get_attribute("data-unit")
            for li in driver.find_elements(By.CSS_SELECTOR, "#chart-problems li")
        ],
        "bar_share": driver.execute_script(
            "return [...document.querySelectorAll('#chart-problems li')].map((li) =>"
            " Math.round(100 * li.querySelector('.bar').offsetWidth"
            " / li.querySelector('.track').offsetWidth))"
        ),
        "chart_img": len(driver.find_elements(By.CSS_SELECTOR, "#charts img")),
        "overflow": overflowing_text(driver),
        "small": too_small(driver),
        "dark": driver.execute_script("return document.body.classList.contains('dark')"),
    }
    keep(driver, f"glance-{tag}-1-board")
    find = driver.find_element(By.ID, "find")
    find.send_keys("尉犁")
    seen["found"] = [
        u.find_element(By.TAG_NAME, "strong").text
        for u in driver.find_elements(By.CSS_SELECTOR, "#unit-list .unit")
    ]
    find.clear()
    driver.execute_script("arguments[0].dispatchEvent(new Event('input'))", find)
    Select(driver.find_element(By.ID, "sort")).select_by_value("missing")
    seen["by_missing"] = [
        u.find_element(By.TAG_NAME, "strong").text
        for u in driver.find_elements(By.CSS_SELECTOR, "#unit-list .unit")
    ]
    Select(driver.find_element(By.ID, "sort")).select_by_value("standing")
    luntai = driver.find_element(By.XPATH, "//a[contains(@class,'unit')][.//strong[.='轮台县']]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", luntai)
    luntai.click()
    wait.until(ec.presence_of_element_located((By.ID, "filters")))
    seen["filters"] = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#filters button")]
    seen["ledger_all"] = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#ledger li")]
    seen["ledger_small"] = too_small(driver)
    driver.find_element(By.CSS_SELECTOR, "#filters [data-key=closing]").click()
    seen["ledger_closing"] = [
        li.find_element(By.TAG_NAME, "a").text
        for li in driver.find_elements(By.CSS_SELECTOR, "#ledger li")
    ]
    keep(driver, f"glance-{tag}-2-ledger")
    driver.find_element(By.CSS_SELECTOR, "#ledger li a").click()  # the problem's own page
    wait.until(ec.presence_of_element_located((By.ID, "card")))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#evidence img")))
    seen["item_small"] = too_small(driver)
    keep(driver, f"glance-{tag}-3-problem")
    return seen


async def test_at_ten_on_report_day_no_unit_is_red_for_a_report_not_yet_due(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await report_day(make_world)
    zhao = world["督办赵"]
    link = await board_link(bot, world)
    page = MiniApp(bot, zhao, link)

    status, board = await page.call("GET", "api/board")
    assert status == 200, board
    colours = {u["name"]: u["colour"] for u in board["units"]}
    assert colours["库尔勒市"] == "red"  # its problem is past its 办结时间
    assert colours["轮台县"] == "green"  # its week is in, its problems not yet due
    assert colours["尉犁县"] == "yellow"  # its week is due at 18:00: not behind yet
    assert [c for n, c in colours.items() if n not in ("库尔勒市", "轮台县")] == ["yellow"] * 8
    assert [u["name"] for u in board["units"]][:2] == ["库尔勒市", "尉犁县"]  # red, yellow…
    assert board["units"][-1]["name"] == "轮台县"
    kurle = board["units"][0]
    assert kurle["reasons"] == ["problems_overdue", "report_due"]
    assert kurle["weekly_text"] == "今日截止，尚未报送"
    assert board["texts"]["g_colour_red"] == "红·滞后"
    f = board["figures"]
    assert (f["problems"], f["closed"], f["closing"], f["rate"], f["overdue"]) == (4, 0, 1, "0%", 1)
    assert f["weekly"] | {"deadline": ""} == {
        "name": "工作台账",
        "on_time": 1,
        "late": 0,
        "not_in": 9,
        "passed": False,
        "deadline": "",
    }
    assert f["weekly"]["deadline"] == "3月4日（周一）18:00截止，尚未到时"
    assert (f["cases_open"], f["cases_overdue"]) == (1, 0)
    assert f["colours"] == {"red": 1, "yellow": 8, "green": 1}
    assert board["sub"] == "截至3月4日（周一）：10个单位，红1、黄8、绿1"
    # the charts as data: only the units with problems
    assert [b["name"] for b in board["charts"]["problems"]] == ["库尔勒市", "轮台县", "尉犁县"]
    weili = next(u for u in board["units"] if u["name"] == "尉犁县")
    assert weili["reasons"] == ["report_due", "problems_due_soon", "cases_due_today"]
    assert (weili["due_soon"], weili["cases_today"], weili["cases_open"]) == (1, 1, 1)

    # the downloads: named for what they are, as attachments Telegram's web client may fetch
    names = board["download_names"]
    assert names["circular"] == "工作进展通报_2024-03-04.docx"
    camp = names["export"].removesuffix("问题整改台账_2024-03-04.xlsx")
    assert camp.endswith("专项整治")
    status, _, headers = await page.fetch("api/board/export.xlsx")
    disposition = headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="2024-03-04.xlsx"; filename*=UTF-8')
    assert unquote(disposition.split("''", 1)[1]) == names["export"]
    assert headers["Access-Control-Allow-Origin"] == "https://web.telegram.org"
    unit = next(u for u in board["units"] if u["name"] == "尉犁县")
    status, ledger = await page.call("GET", f"api/board/units/{unit['id']}")
    assert ledger["download"]["name"] == "尉犁县问题整改台账_2024-03-04.xlsx"
    _, kurle_ledger = await page.call("GET", f"api/board/units/{kurle['id']}")
    [overdue] = kurle_ledger["items"]
    assert (overdue["overdue"], overdue["late_days"]) == (True, 3)  # due Friday 1 March
    keys = [f["key"] for f in kurle_ledger["filters"]]
    assert keys == ["all", "overdue", "open", "closing", "closed", "paused"]
    status, xlsx, headers = await page.fetch(ledger["download"]["path"])
    assert status == 200 and xlsx.startswith(b"PK")
    assert quote("尉犁县问题整改台账_2024-03-04.xlsx") in headers["Content-Disposition"]
    status, _, headers = await page.fetch("api/board/circular.docx")
    assert headers["Content-Disposition"].endswith(quote("工作进展通报_2024-03-04.docx"))

    print(f"\nscreenshots: {ARTIFACTS}")
    for size, tag, theme in ((PHONE, "390", ""), (DESK, "1280", DARK)):
        url = page_url(bot, init_data(bot, zhao, start_param=link), link)
        if theme:
            url += "&tgWebAppThemeParams=" + quote(theme, safe="")

        def browse(url: str = url, size: dict[str, int] = size, tag: str = tag) -> Any:
            with sized_browser(size) as driver:
                return glance(driver, url, tag)

        seen = await asyncio.to_thread(browse)
        assert seen["overflow"] <= 0, seen["overflow"]
        assert seen["small"] == [] and seen["ledger_small"] == [], (tag, seen["small"])
        assert seen["item_small"] == [], (tag, seen["item_small"])
        by_name = {
            name: (colour, badge, text, edge) for name, colour, badge, text, edge in seen["units"]
        }
        assert by_name["库尔勒市"][:2] == ("red", "红·滞后")
        assert "⚠ 逾期 1" in by_name["库尔勒市"][2]  # 逾期 in words and a mark, not colour alone
        assert by_name["尉犁县"][:2] == ("yellow", "黄·关注")
        assert "本周台账：今日截止，尚未报送" in by_name["尉犁县"][2]
        assert by_name["轮台县"][:2] == ("green", "绿·正常")
        assert not any(c == "red" for n, (c, *_) in by_name.items() if n != "库尔勒市")
        # the edges differ: red, yellow, green are three colours
        assert len({by_name[n][3] for n in ("库尔勒市", "尉犁县", "轮台县")}) == 3
        figures = seen["figures"]
        assert figures["fig-problems"].split("\n") == ["问题", "4", "待销号1"]
        assert figures["fig-overdue"].split("\n")[:2] == ["逾期", "1"]
        assert "按时 1" in figures["fig-weekly"] and "尚未报送 9" in figures["fig-weekly"]
        assert figures["fig-deadline"] == "3月4日（周一）18:00截止，尚未到时"
        assert seen["bars"] == ["库尔勒市", "轮台县", "尉犁县"] and seen["chart_img"] == 0
        assert seen["bar_share"] == [50, 100, 50]  # 1 problem, 2 and 1, drawn to one scale
        assert "1个问题3个工作日内到期 · 转办件今日到期1件" in by_name["尉犁县"][2]
        assert seen["found"] == ["尉犁县"]
        assert seen["by_missing"][-1] == "轮台县"  # the only week in comes last
        assert seen["filters"][0] == "全部 2" and "已完成待销号 1" in seen["filters"]
        assert seen["ledger_closing"] == ["轮台-002 问题2"]
        assert seen["dark"] is bool(theme)

    # at 18:00 the week not in is late: the units without it turn red
    bot.clock.advance(hours=8)
    _, board = await page.call("GET", "api/board")
    colours = {u["name"]: u["colour"] for u in board["units"]}
    assert colours["尉犁县"] == "red" and colours["轮台县"] == "green"
    assert board["figures"]["weekly"]["passed"] is True
    assert board["figures"]["weekly"]["deadline"] == "已于3月4日（周一）18:00截止"
    [week] = board["charts"]["weeks"]  # the week's report on time, now that it was due
    assert (week["on_time"], week["late"], week["units"]) == (1, 0, 10)

    def evening(url: str = page_url(bot, init_data(bot, zhao, start_param=link), link)) -> Any:
        with sized_browser(PHONE) as driver:
            driver.get(url)
            wait = WebDriverWait(driver, 20)
            wait.until(ec.presence_of_element_located((By.ID, "chart-weeks")))
            keep(driver, "glance-390-4-after-the-deadline")
            return {
                "weeks": [
                    li.text for li in driver.find_elements(By.CSS_SELECTOR, "#chart-weeks li")
                ],
                "not_in": driver.find_element(By.ID, "fig-not-in").text,
                "small": too_small(driver),
            }

    seen = await asyncio.to_thread(evening)
    assert seen["weeks"] == ["3月4日 · 10%\n按时1、迟报0，共10个单位"]
    assert seen["not_in"] == "未报送 9" and seen["small"] == []

    # in English for a supervisor whose language is English (opened from his private chat)
    await bot.settle(zhao.private)  # 18:00's escalations out first
    await bot.command(zhao.private, zhao, "/lang en")
    _, board = await MiniApp(bot, zhao).call("GET", "api/board")
    kurle = next(u for u in board["units"] if u["name"] == "库尔勒市")
    assert kurle["weekly_text"] == "not in"
    assert board["texts"]["g_colour_red"] == "Red · behind"
    assert board["texts"]["g_find"] == "Find a unit by name"
    assert board["figures"]["weekly"]["deadline"].startswith("deadline ")

    def in_english(url: str = page_url(bot, init_data(bot, zhao))) -> Any:
        with sized_browser(PHONE) as driver:
            driver.get(url)
            WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "figures")))
            keep(driver, "glance-390-5-english")
            return {
                "badges": {b.text for b in driver.find_elements(By.CSS_SELECTOR, ".unit .badge")},
                "find": driver.find_element(By.ID, "find").get_attribute("placeholder"),
                "overflow": overflowing_text(driver),
                "small": too_small(driver),
            }

    seen = await asyncio.to_thread(in_english)
    assert seen["badges"] == {"Red · behind", "Green · on track"}
    assert seen["find"] == "Find a unit by name"
    assert seen["overflow"] <= 0 and seen["small"] == []
