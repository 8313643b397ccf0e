"""In a real browser: a unit's week of 300 open problems is drawn 50 at a time as the liaison
scrolls; what is typed in the first slice and in a late one is kept, and the preview and the
submit take all 300 problems."""

from __future__ import annotations

import asyncio

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import col, func, select

from storage.models import LedgerItem, ProgressUpdate
from tests.browser import phone_browser
from tests.e2e.weekly.test_liaison_does_the_week_in_the_browser import tap
from tests.harness import Harness, MakeWorld
from tests.miniapp import app_url, init_data, page_url, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App
BIG = 300


def drawn(driver: WebDriver, where: str = "") -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, where + " section.item"))


def scroll_to_the_end(driver: WebDriver, wait: WebDriverWait, where: str = "") -> list[int]:
    """Scroll down as a thumb would until the list is whole; how many were drawn each time."""
    counts = [drawn(driver, where)]
    while driver.find_elements(By.ID, "more"):
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        wait.until(lambda d, n=counts[-1]: drawn(d, where) > n)
        counts.append(drawn(driver, where))
    return counts


def answer(driver: WebDriver, n: int, progress: str) -> None:
    """按计划推进 with its progress, on the n-th problem (1-based)."""
    box = driver.find_elements(By.CSS_SELECTOR, "section.item")[n - 1]
    item = box.get_attribute("id")
    tap(driver, box.find_element(By.XPATH, ".//label[contains(., '按计划推进')]"))
    driver.find_element(By.ID, item).find_element(By.CSS_SELECTOR, "[data-f=progress]").send_keys(
        progress
    )


def the_week(driver: WebDriver, url: str) -> dict[str, object]:
    """Open, answer the 1st and the 280th, the rest 本周无变化, preview, submit."""
    wait = WebDriverWait(driver, 60, ignored_exceptions=[StaleElementReferenceException])
    seen: dict[str, object] = {}
    driver.get(url)
    wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "section.item")))
    seen["first"] = drawn(driver)
    seen["more"] = driver.find_element(By.ID, "more").text
    answer(driver, 1, "第1个问题已推进")
    seen["slices"] = scroll_to_the_end(driver, wait)
    answer(driver, 280, "第280个问题已推进")
    wait.until(lambda d: d.find_element(By.ID, "status").text == "已保存草稿")
    # every other problem 本周无变化, tapped in its box (saved as each is)
    driver.execute_script(
        "for (const box of document.querySelectorAll('section.item')) {"
        "  if (box.querySelector('input[type=radio]:checked')) continue;"
        "  box.querySelector('input[type=radio][value=same]').click(); }"
    )
    wait.until(lambda d: d.find_element(By.ID, "status").text == "已保存草稿")
    driver.find_element(By.ID, "go").click()
    wait.until(ec.presence_of_element_located((By.ID, "preview")))
    seen["preview_first"] = drawn(driver, "#preview")
    seen["preview_slices"] = scroll_to_the_end(driver, wait, "#preview")
    cards = driver.find_elements(By.CSS_SELECTOR, "#preview section.item")
    seen["preview_1"], seen["preview_280"] = cards[0].text, cards[279].text
    driver.find_element(By.ID, "go").click()
    try:
        seen["said"] = wait.until(ec.presence_of_element_located((By.ID, "said"))).text
    except TimeoutException:  # what the page shows instead (once timed out on a loaded machine)
        bar = driver.find_element(By.ID, "status").text
        raise AssertionError(f"no answer to the submit in 60 s; the page says {bar!r}") from None
    return seen


async def test_a_week_of_300_problems_is_drawn_a_slice_at_a_time(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": "刘芳"})
    group, liu = world.group("尉犁县"), world["刘芳"]
    world.add_items("尉犁县", BIG, due_on="2024-06-30")
    card = await bot.command(group, liu, "/weekly")
    link = start_param(app_url(card))
    url = page_url(bot, init_data(bot, liu, start_param=link), link)

    sent = len(bot.api.bot_messages(group))

    def browse() -> dict[str, object]:
        with phone_browser() as driver:
            return the_week(driver, url)

    seen = await asyncio.to_thread(browse)
    assert seen["first"] == 50 and seen["more"] == "显示更多（还有250个）"
    assert seen["slices"] == [50, 100, 150, 200, 250, 300]
    assert seen["preview_first"] == 50 and seen["preview_slices"][-1] == BIG  # type: ignore[index]
    assert "第1个问题已推进" in str(seen["preview_1"])
    assert "第280个问题已推进" in str(seen["preview_280"])
    assert str(seen["said"]).startswith("✅ 尉犁县已报送本周“工作台账”"), seen["said"]
    await bot.drained()
    # the group hears the week in one message, whatever its size
    posted = [m["text"] for m in bot.api.bot_messages(group)[sent:]]
    assert posted == ["✅ 尉犁县已报送本周“工作台账”（按时报送）：更新300个问题，0个申请销号。"]
    with bot.db.unit_of_work() as s:
        stmt = select(ProgressUpdate.text).join(
            LedgerItem, col(LedgerItem.id) == col(ProgressUpdate.item_id)
        )
        texts = list(s.exec(stmt))
        saved = s.exec(select(func.count()).select_from(ProgressUpdate)).one()
    assert saved == BIG  # every problem's week, once
    assert "第1个问题已推进" in texts and "第280个问题已推进" in texts
