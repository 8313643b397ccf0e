"""The board in English says "1 problem" and "2 problems": a word with `{count}` is sent with
its plural forms (`b_problems#one`) and the page picks one by `Intl.PluralRules`, in a real
browser at 390 px."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import PHONE, keep, sized_browser
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, init_data, page_url

MINI_APP = True
MONDAY_10 = datetime(2024, 3, 4, 2, tzinfo=UTC)  # Monday 4 March 2024, 10:00 in Beijing


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    """The bot with its Mini App served, at 10:00 on a Monday."""
    harness = Harness(db_url, mini_app=True, start=MONDAY_10)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_the_english_board_says_one_problem_and_two_problems(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"],
        liaisons={"轮台县": "李明", "尉犁县": "刘芳"},
        supervisors=["督办赵"],
        supervisors_group="专班群",
    )
    world.add_items("轮台县", 1, due_on="2024-06-30", by=world["李明"])
    world.add_items("尉犁县", 2, due_on="2024-06-30", by=world["刘芳"])
    zhao = world["督办赵"]
    await bot.command(zhao.private, zhao, "/lang en")
    _, board = await MiniApp(bot, zhao).call("GET", "api/board")
    texts = board["texts"]
    assert texts["lang"] == "en"
    assert texts["b_problems#one"].startswith("{count} problem:")
    assert texts["b_problems"].startswith("{count} problems:")
    assert texts["b_files#one"] == "{count} evidence file"

    def cards(url: str = page_url(bot, init_data(bot, zhao))) -> Any:
        with sized_browser(PHONE) as driver:
            driver.get(url)
            WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "unit-list")))
            keep(driver, "plurals-390-english")
            units = driver.find_elements(By.CSS_SELECTOR, "#unit-list .unit")
            return {
                "cards": {u.find_element(By.TAG_NAME, "strong").text: u.text for u in units},
                "lang": driver.execute_script("return document.documentElement.lang"),
            }

    seen = await asyncio.to_thread(cards)
    assert "1 problem: 1 open, 0 closed, 0 overdue" in seen["cards"]["轮台县"]
    assert "2 problems: 2 open, 0 closed, 0 overdue" in seen["cards"]["尉犁县"]
    assert "1 problems" not in " ".join(seen["cards"].values())
    assert seen["lang"] == "en"  # a screen reader reads the words in their language
