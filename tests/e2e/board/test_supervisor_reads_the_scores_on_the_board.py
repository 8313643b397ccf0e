"""得分与排名 on the board, in a real browser at 390 px: last week's ranking as the README's
worked example computes it (尉犁县 100.0 绿, 轮台县 78.3 黄, 库尔勒市 50.0 红, 和静县 0.0 红),
the rule said in words; last month's picked from the period list; every control still at least
44 px tall."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from storage import campaigns
from storage.models import saved_id
from tests.browser import PHONE, keep, sized_browser, too_small
from tests.e2e.board.test_supervisor_reads_the_board import board_link
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, init_data, page_url
from tests.storage.test_scores import CAMPAIGN, NOW, score_facts

MINI_APP = True


@pytest.fixture
async def bot(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot on the worked example's campaign, its clock at Tuesday 10 March 2026, 10:00."""
    path = tmp_path / "scores.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    harness = Harness(db_url, mini_app=True, start=NOW, template=str(path))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


def month(driver: WebDriver) -> list[list[str]]:
    """上月 picked: February's rows."""
    Select(driver.find_element(By.ID, "ranking-period")).select_by_value("month")
    rows = driver.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")
    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in rows]


def ranking_seen(url: str) -> dict[str, Any]:
    """The board at 390 px: the ranking panel's rows and words, and the controls too small."""
    with sized_browser(PHONE) as driver:
        driver.get(url)
        WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "ranking")))
        panel = driver.find_element(By.ID, "ranking")
        driver.execute_script("arguments[0].scrollIntoView()", panel)
        keep(driver, "board-ranking-390")
        return {
            "rows": [
                [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in panel.find_elements(By.CSS_SELECTOR, "tbody tr")
            ],
            "bands": [
                tr.get_attribute("class") for tr in panel.find_elements(By.CSS_SELECTOR, "tbody tr")
            ],
            "words": [p.text for p in panel.find_elements(By.TAG_NAME, "p")],
            "small": too_small(driver),
            "month": month(driver),
            "overflow": driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            ),
        }


async def test_the_board_ranks_last_week_at_390_px(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县", "库尔勒市", "和静县"],
        supervisors=["督办赵"],
        supervisors_group="专班群",
    )
    with bot.database().unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None
        score_facts(s, {u.name: u for u in campaigns.units_of(s, saved_id(camp))})
    link = await board_link(bot, world)
    zhao = world["督办赵"]
    status, board = await MiniApp(bot, zhao, link).call("GET", "api/board")
    assert status == 200
    assert [
        (r["rank"], r["unit"], r["score"], r["colour"])
        for r in board["ranking"]["periods"][0]["rows"]
    ] == [
        (1, "尉犁县", "100.0", "green"),
        (2, "轮台县", "78.3", "yellow"),
        (3, "库尔勒市", "50.0", "red"),
        (4, "和静县", "0.0", "red"),
    ]
    url = page_url(bot, init_data(bot, zhao, start_param=link), link)
    seen = await asyncio.to_thread(ranking_seen, url)
    assert seen["rows"] == [
        ["1", "尉犁县", "100.0", "绿"],
        ["2", "轮台县", "78.3", "黄"],
        ["3", "库尔勒市", "50.0", "红"],
        ["4", "和静县", "0.0", "红"],
    ]
    assert seen["bands"] == ["green", "yellow", "red", "red"]
    assert seen["words"][0].startswith("2026年3月2日至2026年3月8日各单位得分")
    assert seen["words"][1:] == [
        "红色（2个）：库尔勒市、和静县。",
        "黄色（1个）：轮台县。",
        "绿色（1个）：尉犁县。",
    ]
    # February: Mondays 2 and 9 had reports due (16 and 23 were 春节), nobody sent them; 轮台县's
    # problem due 20 February was closed late (problems 0/1) but by the month's end (销号 1/1)
    assert [board["ranking"]["periods"][i]["kind"] for i in range(3)] == [
        "week",
        "month",
        "quarter",
    ]
    assert seen["month"] == [
        ["1", "轮台县", "25.0", "红"],
        ["2", "尉犁县", "0.0", "红"],
        ["2", "库尔勒市", "0.0", "红"],
        ["2", "和静县", "0.0", "红"],
    ]
    assert seen["small"] == [], seen["small"]
    assert seen["overflow"] <= 0


async def test_the_monthly_review_ranks_last_month(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县", "库尔勒市", "和静县"], supervisors=["督办赵"]
    )
    with bot.database().unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None
        score_facts(s, {u.name: u for u in campaigns.units_of(s, saved_id(camp))})
    zhao = world["督办赵"]
    await bot.settle(zhao.private)
    review = await zhao.say(zhao.private, "/summary 月调度")
    assert review["document"]["file_name"] == "月调度通报-20260310.docx"
    assert review["caption"] == "评分示例月调度通报"
    doc = Document(io.BytesIO(review["payload"]))
    texts = [p.text for p in doc.paragraphs]
    assert "关于评分示例2026年2月调度情况的通报" in texts
    assert texts[texts.index("六、得分与排名") + 1].startswith("2026年2月各单位得分")
    assert [[c.text for c in row.cells] for row in doc.tables[-1].rows][1:] == [
        ["1", "轮台县", "25.0", "红"],
        ["2", "尉犁县", "0.0", "红"],
        ["2", "库尔勒市", "0.0", "红"],
        ["2", "和静县", "0.0", "红"],
    ]
    quarter = await zhao.say(zhao.private, "/summary 通报 季")  # Q4 2025: before the campaign
    doc = Document(io.BytesIO(quarter["payload"]))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("六、得分与排名") + 2] == "本期各单位均无到期事项，暂不排名。"
