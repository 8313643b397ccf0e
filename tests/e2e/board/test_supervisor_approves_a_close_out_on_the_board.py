"""In a real browser (the form's headless Chromium), at a phone's 390 px and a desk's 1280 px:
a supervisor opens the board from the supervisors' group's link, opens a waiting close-out,
sees its photo (fetched through the bot's server), approves it, and the unit's group gets the
one message the chat's 同意销号 button sends. Each page is kept as a screenshot."""

from __future__ import annotations

import asyncio
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import select

from storage import ledger
from storage.models import LedgerItem, Unit
from tests.browser import ARTIFACTS, DESK, PHONE, keep, sized_browser
from tests.e2e.board.test_supervisor_reads_the_board import (
    ask_closeout,
    board_link,
    board_world,
    sups,
)
from tests.harness import Harness, MakeWorld
from tests.miniapp import init_data, page_url

MINI_APP = True  # the `bot` fixture serves the Mini App


def first_item(bot: Harness, unit: str) -> tuple[int, str]:
    """The unit's first problem: its id and its code."""
    with bot.database().unit_of_work() as s:
        item = s.exec(
            select(LedgerItem).join(Unit).where(Unit.name == unit).order_by(LedgerItem.seq)
        ).first()
        assert item is not None and item.id is not None
        return item.id, item.code


def loaded(driver: WebDriver, css: str) -> bool:
    """Whether every picture under `css` is decoded (a picture that failed has no width)."""
    return bool(
        driver.execute_script(
            "const imgs = [...document.querySelectorAll(arguments[0])];"
            "return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);",
            css,
        )
    )


def approve_on_the_board(
    driver: WebDriver, url: str, item: int, size: dict[str, int], tag: str
) -> dict[str, Any]:
    """The board opened, the close-out opened, its photo seen, approved; what was seen."""
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    driver.get(url)
    waiting = wait.until(ec.presence_of_element_located((By.ID, f"closeout-{item}")))
    wait.until(ec.presence_of_element_located((By.ID, "charts")))  # drawn by the page
    seen: dict[str, Any] = {
        "title": driver.find_element(By.ID, "title").text,
        "units": [u.text.split("\n")[0] for u in driver.find_elements(By.CSS_SELECTOR, ".unit")],
        "overflow": driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        ),
        "columns": driver.execute_script(
            "return getComputedStyle(document.querySelector('.columns')).gridTemplateColumns"
        ),
        "width": driver.execute_script("return window.innerWidth"),
    }
    keep(driver, f"board-{tag}-1-open")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", waiting)
    waiting.find_element(By.TAG_NAME, "a").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#evidence img")))
    wait.until(lambda d: loaded(d, "#evidence img"))
    seen["photo_width"] = driver.execute_script(
        "return document.querySelector('#evidence img').naturalWidth"
    )
    seen["card"] = driver.find_element(By.ID, "card").text
    keep(driver, f"board-{tag}-2-closeout")
    approve = driver.find_element(By.ID, "approve")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", approve)
    approve.click()  # asks once to confirm: the question, then 确认
    wait.until(ec.element_to_be_clickable((By.ID, "decide-yes"))).click()
    said = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#decide .outcome.done")))
    seen["said"] = said.text
    keep(driver, f"board-{tag}-3-approved")
    return seen


async def test_a_supervisor_approves_a_close_out_on_the_board_at_390_and_1280_px(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao = world["督办赵"]
    world.add_items("库尔勒市", 1, due_on="2024-01-05", by=world["王强"])
    for unit, liaison in (("轮台县", "李明"), ("尉犁县", "刘芳"), ("库尔勒市", "王强")):
        code = first_item(bot, unit)[1]
        await ask_closeout(bot, world.group(unit), world[liaison], code)
    await bot.drained()

    # the chat's button on 库尔勒市's request: the message a unit's group gets from it
    _, kurle = first_item(bot, "库尔勒市")
    request = next(m for m in bot.api.bot_messages(sups(world)) if kurle in m.get("text", ""))
    bot.api.mark_read(sups(world))
    by_chat = await bot.press(request, zhao, "同意销号")
    await bot.drained()
    chat_told = bot.api.bot_messages(world.group("库尔勒市"))[-1]["text"]
    assert chat_told == by_chat["text"] and chat_told.startswith(f"✅ 问题 {kurle}")
    link = await board_link(bot, world)
    print(f"\nscreenshots: {ARTIFACTS}")

    for unit, size, tag in (("轮台县", PHONE, "390"), ("尉犁县", DESK, "1280")):
        item, code = first_item(bot, unit)
        group = world.group(unit)
        bot.api.mark_read(group)
        url = page_url(bot, init_data(bot, zhao, start_param=link), link)

        def browse(
            url: str = url, item: int = item, size: dict[str, int] = size, tag: str = tag
        ) -> Any:
            with sized_browser(size) as driver:
                return approve_on_the_board(driver, url, item, size, tag)

        seen = await asyncio.to_thread(browse)
        await bot.drained()
        assert seen["width"] == size["width"] and seen["overflow"] <= 0, seen
        assert seen["title"] == "督办看板"
        assert seen["photo_width"] == 64  # the liaison's photo, decoded by the browser
        assert seen["card"].startswith(f"{code} 问题1\n") and "已完成待销号" in seen["card"]
        wanted = chat_told.replace(kurle, code)
        assert seen["said"] == wanted
        told = bot.api.unread(group)
        assert [m["text"] for m in told] == [wanted]  # exactly one message, the chat's
        # a desk shows two columns (what waits beside the units), a phone one
        assert len(seen["columns"].split()) == 2 if size is DESK else seen["columns"] == "none"
        with bot.database().unit_of_work() as s:
            assert ledger.item_by_code(s, code).status == "closed"  # type: ignore[union-attr]
