"""In a real browser: a liaison does the week of 8 problems in the Mini App on a phone-sized
headless Chromium (one closed out with a photo, one late), and it ends where the same answers
given in the chat end; a forged initData shows the refusal. Each page is kept as a screenshot.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlmodel import select

from bot.telegram.applinks import payload_of
from storage.models import Unit
from tests.browser import ARTIFACTS, keep, phone_browser
from tests.e2e.weekly.test_liaison_updates_the_week_by_workbook import saved_state
from tests.harness import Harness, MakeWorld
from tests.miniapp import app_url, init_data, page_url, start_param
from workflows.forms.deeplink import NEW_PAGE, AppLink

PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 2044  # what the phone sends (the server reads no pixels)
# each item's week: (status button, progress, result, reason, new planned date)
WEEK: list[tuple[str, str, str, str, date | None]] = [
    ("进度滞后", "评估机构更换", "", "原评估机构资质被暂停", date(2024, 3, 31)),
    ("已完成，申请销号", "", "过渡安置费已全部补发到户", "", None),
    ("按计划推进", "主体结构已验收", "", "", None),
    ("本周无变化", "", "", "", None),
    ("按计划推进", "已完成入户调查", "", "", None),
    ("本周无变化", "", "", "", None),
    ("按计划推进", "协调会已召开", "", "", None),
    ("按计划推进", "整改方案已报批", "", "", None),
]
VALUE = {"按计划推进": "plan", "已完成，申请销号": "done", "进度滞后": "late", "本周无变化": "same"}


MINI_APP = True  # the `bot` fixture serves the Mini App


async def in_the_chat(bot: Harness, group: dict, li: dict) -> dict:
    """The same week, card by card, in the group."""
    card = await bot.command(group, li, "/weekly")
    for status, progress, result, reason, _planned in WEEK:
        if status == "本周无变化":
            card = await bot.press(card, li, status)
        elif status == "已完成，申请销号":
            asked = await bot.press(card, li, status)
            evidence = await bot.answer(asked, li, result)
            await bot.api.send_file(
                group, li, name="现场照片.jpg", size=len(PHOTO), photo=True, reply_to=evidence
            )
            card = await bot.press(await bot.api.next_message(group), li, "完成")
        elif status == "进度滞后":
            await bot.tap(card, li, status)
            why = await bot.answer(card, li, progress)
            when = await bot.answer(why, li, reason)
            check = await bot.answer(when, li, "2024年3月31日")
            card = await bot.press(check, li, "正确")
        else:
            await bot.tap(card, li, status)
            card = await bot.answer(card, li, progress)
    summary = await bot.press(card, li, "没有")
    return await bot.press(summary, li, "确认提交")


def unit_id(bot: Harness, name: str) -> int:
    with bot.database().unit_of_work() as s:
        return int(s.exec(select(Unit.id).where(Unit.name == name)).one())


def tap(driver: WebDriver, element: Any) -> None:
    """Scroll an element to the middle of the screen (as a thumb would), then tap it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def fill_the_week(driver: WebDriver, url: str, photo: Path) -> list[str]:
    """The liaison's week in the browser: each item's status and text, the photo, the late
    item's date, then preview and submit; the screenshots' paths."""
    wait = WebDriverWait(driver, 40, ignored_exceptions=[StaleElementReferenceException])
    driver.get(url)
    wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "section.item")))
    shots = [str(keep(driver, "1-week-open"))]
    ids = [b.get_attribute("id") for b in driver.find_elements(By.CSS_SELECTOR, "section.item")]
    assert len(ids) == 8
    for item, (status, progress, result, reason, planned) in zip(ids, WEEK, strict=True):
        tap(
            driver,
            driver.find_element(By.ID, item).find_element(
                By.XPATH, f".//label[contains(., '{status}')]"
            ),
        )
        box = driver.find_element(By.ID, item)  # drawn again for the status chosen
        for name, text in (("progress", progress), ("result", result), ("reason", reason)):
            if text:
                box.find_element(By.CSS_SELECTOR, f"[data-f={name}]").send_keys(text)
        if planned:
            driver.execute_script(
                "arguments[0].value = arguments[1];"
                "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                box.find_element(By.CSS_SELECTOR, "[data-f=planned]"),
                planned.isoformat(),
            )
        if VALUE[status] == "done":  # once the status is saved, the photo
            wait.until(lambda d: d.find_element(By.ID, "status").text == "已保存草稿")
            box.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(photo))
            wait.until(
                lambda d, i=item: (
                    photo.name
                    in d.find_element(By.ID, i).find_element(By.CSS_SELECTOR, ".files").text
                )
            )
    wait.until(lambda d: d.find_element(By.ID, "status").text == "已保存草稿")
    shots.append(str(keep(driver, "2-week-filled")))
    driver.find_element(By.ID, "go").click()
    preview = wait.until(ec.presence_of_element_located((By.ID, "preview")))
    assert "进度滞后" in preview.text
    # each problem as it will be saved: its progress, result, reason, new date and files
    for said in (
        "评估机构更换",
        "原评估机构资质被暂停",
        "3月31日（周日）",
        "过渡安置费已全部补发到户",
    ):
        assert said in preview.text, preview.text
    assert photo.name in preview.text
    shots.append(str(keep(driver, "3-preview")))
    driver.find_element(By.ID, "go").click()
    done = wait.until(ec.presence_of_element_located((By.ID, "said")))
    assert done.text.startswith("✅ 尉犁县已报送本周“工作台账”"), done.text
    shots.append(str(keep(driver, "4-submitted")))
    return shots


def refused_page(driver: WebDriver, url: str) -> str:
    """The page opened with initData that is not Telegram's: what it says."""
    driver.get("about:blank")  # a new fragment alone would not load the page again
    driver.get(url)
    shown = WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "refusal")))
    keep(driver, "5-forged")
    return str(shown.text)


def fill_new_problem(driver: WebDriver, form: Any, *, but: tuple[str, ...] = ()) -> None:
    """The new problem's form filled as on a phone (a category from the list, a date from the
    picker), but for the fields named in `but`."""
    for name, text in (
        ("name", "团结路棚改项目未按期回迁"),
        ("summary", "回迁安置房建设滞后"),
        ("measures", "督促施工单位加快进度"),
        ("lead", "县住建局 张伟"),
    ):
        if name not in but:
            form.find_element(By.NAME, name).send_keys(text)
    Select(form.find_element(By.NAME, "category")).select_by_visible_text("征收补偿环节")
    Select(form.find_element(By.NAME, "source")).select_by_index(1)
    driver.execute_script("arguments[0].value = '2024-06-30'", form.find_element(By.NAME, "due_on"))


def new_problem(driver: WebDriver, url: str) -> str:
    """The new problem's form, filled as on a phone (a category from the list, a date from the
    picker); what the page says once it is saved."""
    driver.get("about:blank")
    driver.get(url)
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    form = wait.until(ec.presence_of_element_located((By.ID, "new-form")))
    fill_new_problem(driver, form)
    keep(driver, "6-new-problem")
    tap(driver, driver.find_element(By.ID, "go"))
    said = wait.until(ec.presence_of_element_located((By.ID, "said")))
    keep(driver, "7-new-problem-saved")
    return str(said.text)


def masked(state: dict[str, Any]) -> dict[str, Any]:
    """The saved state with files as (media, size): a photo sent in the chat is named by
    Telegram (photo_….jpg), one uploaded from the phone keeps its own name."""
    progress = [
        (*p[:7], [(media, size) for _, media, size in p[7]], p[8]) for p in state["progress"]
    ]
    return {**state, "progress": progress}


async def test_a_week_of_eight_problems_in_the_browser_ends_where_the_chat_does(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"],
        liaisons={"轮台县": "李明", "尉犁县": "刘芳"},
        supervisors=["督办赵"],
    )
    luntai, yuli = world.group("轮台县"), world.group("尉犁县")
    li, liu = world["李明"], world["刘芳"]
    await bot.settle(world["督办赵"].private, luntai, yuli)
    world.add_items("轮台县", 8, due_on="2024-06-30")
    world.add_items("尉犁县", 8, due_on="2024-06-30")
    chat_done = await in_the_chat(bot, luntai, li)
    assert chat_done["text"].startswith("✅ 轮台县已报送本周“工作台账”")

    card = await bot.command(yuli, liu, "/weekly")  # begun in the chat, finished in the form
    link = start_param(app_url(card))
    assert liu.private  # the evidence goes to the liaison's private chat: it is open
    sent = len(bot.api.bot_messages(yuli))
    url = page_url(bot, init_data(bot, liu, start_param=link), link)
    photo = Path(tempfile.mkdtemp()) / "现场照片.jpg"
    photo.write_bytes(PHOTO)
    print(f"\nscreenshots: {ARTIFACTS}")

    def browse() -> tuple[list[str], str]:
        with phone_browser() as driver:
            shots = fill_the_week(driver, url, photo)
            forged = init_data(bot, liu, start_param=link).replace("hash=", "hash=0")
            return shots, refused_page(driver, page_url(bot, forged, link))

    adding = payload_of(
        bot.settings,
        AppLink(
            NEW_PAGE,
            unit_id(bot, "尉犁县"),
            0,
            bot.clock() + timedelta(hours=1),
            chat_id=yuli["id"],
        ),
    )
    shots, refusal = await asyncio.to_thread(browse)
    await bot.drained()
    assert len(bot.api.bot_messages(yuli)) - sent == 1  # the week's one message in the group
    assert bot.api.bot_messages(yuli)[-1]["text"] == chat_done["text"].replace("轮台县", "尉犁县")
    assert masked(saved_state(bot, "尉犁县")) == masked(saved_state(bot, "轮台县"))
    assert refusal == "身份数据校验失败，请从 Telegram 中重新打开本页面。"
    assert all(Path(s).stat().st_size > 10_000 for s in shots)

    def add_problem() -> str:  # the new problem's form, in the same browser's way
        with phone_browser() as driver:
            data = init_data(bot, liu, start_param=adding)
            return new_problem(driver, page_url(bot, data, adding))

    assert await asyncio.to_thread(add_problem) == "已新增问题 尉犁-009。"
