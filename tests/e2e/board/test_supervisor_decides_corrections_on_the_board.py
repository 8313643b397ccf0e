"""Correction requests on the board, in a real browser at 390 px: a correction asked after the
week's deadline is listed with what it changes (before → after), who asked and when; 不同意
without a reason is refused at the field, with one it is made once and the unit told; a second
request approved by a double tap is applied once, as the chat's 同意更正 applies it."""

from __future__ import annotations

import asyncio
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import col, select

from storage import campaigns, corrections
from storage.models import Decision, PageAction, saved_id
from tests.browser import PHONE, keep, sized_browser, too_small
from tests.e2e.board.test_supervisor_decides_requests_on_the_board import TWICE, tap
from tests.e2e.board.test_supervisor_reads_the_board import board_link
from tests.e2e.weekly import test_liaison_corrects_a_submitted_week as correcting
from tests.e2e.weekly.test_liaison_corrects_a_submitted_week import fill_week, history
from tests.harness import Harness, MakeWorld
from tests.miniapp import init_data, page_url
from workflows.guards import required

MINI_APP = True


bot = correcting.bot  # its campaign, Monday 2 March 2026 10:00 (the report due 18:00)


def waiting_ids(bot: Harness) -> list[int]:
    """The correction requests no supervisor has decided yet."""
    with bot.database().unit_of_work() as s:
        camp = required(campaigns.active_campaign(s), "the campaign")
        units = [saved_id(u) for u in campaigns.units_of(s, saved_id(camp))]
        return [saved_id(r) for r in corrections.waiting_requests(s, units)]


def decide(driver: WebDriver, url: str, request: int, approve: bool) -> dict[str, Any]:
    """The board at 390 px: the request card read and measured, then decided."""
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    seen: dict[str, Any] = {}
    driver.get(url)
    card = wait.until(ec.presence_of_element_located((By.ID, f"correction-{request}")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    seen["heading"] = driver.find_element(By.ID, "corrections-heading").text
    seen["title"] = card.find_element(By.CSS_SELECTOR, ".title").text
    seen["facts"] = [e.text for e in card.find_elements(By.CSS_SELECTOR, "dd")]
    seen["changes"] = [
        [e.find_element(By.CSS_SELECTOR, s).text for s in (".what", ".before", ".after")]
        for e in card.find_elements(By.CSS_SELECTOR, ".change")
    ]
    seen["small"] = too_small(driver)
    seen["overflow"] = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    keep(driver, f"corrections-390-{request}-request")
    if approve:
        tap(driver, card.find_element(By.ID, f"cr-approve-{request}"))
        question = wait.until(
            ec.visibility_of_element_located((By.CSS_SELECTOR, f"#correction-{request} .question"))
        )
        seen["question"] = question.text
    else:
        tap(driver, card.find_element(By.ID, f"cr-reject-{request}"))
        yes = f"decide-cr-{request}-yes"
        tap(driver, wait.until(ec.element_to_be_clickable((By.ID, yes))))
        need = wait.until(ec.visibility_of_element_located((By.ID, f"decide-cr-{request}-need")))
        seen["need"] = need.text
        card.find_element(By.CSS_SELECTOR, "textarea").send_keys("数据与现场核查不符")
    seen["pending"] = driver.execute_script(TWICE, f"decide-cr-{request}-yes")  # a double tap
    told = wait.until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, f"#correction-{request} .outcome"))
    )
    wait.until(lambda d: told.text)
    seen["said"] = told.text
    heading = driver.find_element(By.ID, "corrections-heading")
    wait.until(lambda d: heading.text != seen["heading"])
    seen["heading_after"] = heading.text
    keep(driver, f"corrections-390-{request}-decided")
    return seen


async def test_the_board_lists_correction_requests_and_decides_them_once(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["尉犁县"],
        liaisons={"尉犁县": "李明"},
        supervisors=["督办赵"],
        supervisors_group="专班群",
    )
    group, li, zhao = world.group("尉犁县"), world["李明"], world["督办赵"]
    [code] = world.add_items("尉犁县", 1, due_on="2026-06-30")
    await bot.settle(group)
    await fill_week(bot, group, li, "/weekly", "完成主体结构")
    bot.clock.advance(days=1)  # Tuesday: the week's deadline (Monday 18:00) has passed
    link = await board_link(bot, world)
    await bot.settle(group)
    asked = await fill_week(bot, group, li, "/correct", "完成主体结构验收")
    assert asked["text"].startswith("已过截止时间，更正申请已提交督办")
    [first] = waiting_ids(bot)
    bot.api.mark_read(group)
    url = page_url(bot, init_data(bot, zhao, start_param=link), link)

    def browse(request: int, approve: bool) -> dict[str, Any]:
        with sized_browser(PHONE) as driver:
            return decide(driver, url, request, approve)

    seen = await asyncio.to_thread(browse, first, False)
    await bot.drained()
    assert seen["heading"] == "更正申请（1）" and seen["heading_after"] == "更正申请（0）"
    assert seen["title"] == "尉犁县 · 工作台账"
    assert seen["facts"] == ["李明 · 3月3日（周二）10:00", "3月2日（周一）18:00"]
    assert seen["changes"] == [[f"{code} 整改进展：", "完成主体结构", "完成主体结构验收"]]
    assert seen["small"] == [], seen["small"]
    assert seen["overflow"] <= 0
    assert seen["need"] == "请填写不同意的理由，理由将告知承办单位。"
    assert seen["pending"] == [True, True, "正在提交…"]
    refused = "❌ 尉犁县的更正申请未获同意，理由：数据与现场核查不符。已报送内容不变。"
    assert seen["said"] == refused
    assert [m["text"] for m in bot.api.unread(group)] == [refused]  # once, for a double tap
    bot.api.mark_read(group)

    await fill_week(bot, group, li, "/correct", "完成主体结构验收")
    [second] = waiting_ids(bot)
    bot.api.mark_read(group)
    seen = await asyncio.to_thread(browse, second, True)
    await bot.drained()
    assert seen["question"] == (
        "确认同意尉犁县更正已报送的“工作台账”？同意后按申请内容更正，并通知尉犁县。"
    )
    approved = f"✅ 尉犁县的更正申请已同意。已更正：{code} 整改进展：完成主体结构→完成主体结构验收"
    assert seen["said"] == approved
    assert [m["text"] for m in bot.api.unread(group)] == [approved]
    assert history(bot) == [("完成主体结构", li["id"]), ("完成主体结构验收", li["id"])]
    assert waiting_ids(bot) == []
    with bot.database().unit_of_work() as s:
        made = s.exec(select(Decision).order_by(col(Decision.id))).all()
        assert [(d.what, d.reason, d.by_user_id) for d in made] == [
            ("correction.rejected", "数据与现场核查不符", zhao["id"]),
            ("correction.approved", "", zhao["id"]),
        ]
        assert len(s.exec(select(PageAction)).all()) == 2  # one write per action id
