"""The board's 已阅情况: the API the page calls (the read units with who and when, the unread
since when; refused to a liaison), and the panel in a real browser at a phone's 390 px."""

from __future__ import annotations

import asyncio
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import PHONE, keep, sized_browser
from tests.e2e.board.test_supervisor_reads_the_board import board_link, board_world
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, init_data, page_url

MINI_APP = True  # the `bot` fixture serves the Mini App


async def test_the_board_shows_who_has_read_the_last_notice(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao, li = world["督办赵"], world["李明"]
    await bot.command(zhao.private, zhao, "/notice 本周五前完成问题线索复核")
    posted = await bot.api.next_message(world.group("轮台县"))
    assert (await bot.tap(posted, li, "已阅")).startswith("轮台县已阅")

    link = await board_link(bot, world)
    status, data = await MiniApp(bot, zhao, link).call("GET", "api/board/notices")
    assert status == 200
    (notice,) = data["notices"]
    assert (notice["read"], notice["total"]) == (1, 3)
    assert (
        notice["head"].startswith("通知“本周五前完成问题线索复核”") and "已阅1/3" in notice["head"]
    )
    by_unit = {u["text"].split("：")[0][2:]: u for u in notice["units"]}
    assert by_unit["轮台县"]["read"] and "李明" in by_unit["轮台县"]["text"]
    assert not by_unit["尉犁县"]["read"] and by_unit["尉犁县"]["text"].startswith(
        "✗ 尉犁县：未阅（自"
    )
    refused, said = await MiniApp(bot, li, link).call("GET", "api/board/notices")
    assert refused == 403 and said["error"] == "抱歉，您没有使用 /board 的权限。"
    refused, said = await MiniApp(bot, li, link).call(
        "POST", "api/board/notices", action="notice-" + "a" * 24, json={"text": "冒充"}
    )
    assert refused == 403
    empty, said = await MiniApp(bot, zhao, link).call(
        "POST", "api/board/notices", action="notice-" + "b" * 24, json={"text": "  "}
    )
    assert empty == 400 and said["error"].startswith("请填写通知内容")

    url = page_url(bot, init_data(bot, zhao, start_param=link), link)
    bot.api.mark_read(world.group("尉犁县"))  # the first notice: the board's is awaited there

    def browse() -> dict[str, Any]:
        with sized_browser(PHONE) as driver:
            wait = WebDriverWait(driver, 20)
            driver.get(url)
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#reads details")))
            panel = driver.find_element(By.ID, "reads")
            driver.execute_script("arguments[0].scrollIntoView()", panel)
            panel.find_element(By.TAG_NAME, "summary").click()
            seen = {
                "heading": panel.find_element(By.TAG_NAME, "h2").text,
                "summary": panel.find_element(By.TAG_NAME, "summary").text,
                "rows": [r.text for r in panel.find_elements(By.TAG_NAME, "li")],
                "unread": len(panel.find_elements(By.CSS_SELECTOR, "li.bad")),
                "overflow": driver.execute_script(
                    "return document.documentElement.scrollWidth - window.innerWidth"
                ),
            }
            keep(driver, "board-390-reads")
            # a notice sent from the board, as /notice sends it
            box = driver.find_element(By.ID, "notice-text")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
            box.send_keys("下周一上午召开调度会")
            driver.find_element(By.ID, "notice-send").click()
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#reads details")) == 2)
            seen["status"] = driver.find_element(By.ID, "status").text
            seen["newest"] = driver.find_element(By.CSS_SELECTOR, "#reads summary").text
            return seen

    seen = await asyncio.to_thread(browse)
    assert seen["heading"] == "已阅情况"
    assert "已阅1/3" in seen["summary"]
    assert len(seen["rows"]) == 3 and seen["unread"] == 2
    assert any(r.startswith("✓ 轮台县：李明") for r in seen["rows"])
    assert seen["overflow"] <= 0
    assert seen["status"].startswith("已发送至3个单位")
    assert seen["newest"].startswith("通知“下周一上午召开调度会”") and "已阅0/3" in seen["newest"]
    from_board = await bot.api.next_message(world.group("尉犁县"))
    assert "下周一上午召开调度会" in from_board["text"]
    assert from_board["reply_markup"]["inline_keyboard"][0][0]["text"] == "已阅"
