"""Decisions on the board with care and a trace, in a real browser at a phone's 390 px and a
desk's 1280 px: a request for more time shows its reason, the time limit now and the time asked
for, none of its boxes over another (measured in the browser); 同意 asks once to confirm;
不同意 without a reason is refused at the field and by the server; a decision tapped twice is
made once, its outcome shown where it was tapped, and who decided and when shows on the
problem; 催办 sends one message to the unit's group and a second the same working day is
refused in words."""

from __future__ import annotations

import asyncio
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import select

from storage import ledger
from storage.models import Decision, ForwardedCase, OutboxMessage, PageAction, Urging
from tests.browser import ARTIFACTS, DESK, PHONE, keep, sized_browser
from tests.e2e.board.test_supervisor_reads_the_board import (
    ask_closeout,
    board_link,
    board_world,
    item_id,
    sups,
)
from tests.harness import Harness, MakeWorld, World
from tests.miniapp import MiniApp, app_url, init_data, page_url, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App

REASON = (
    "需不动产登记中心配合核实产权信息，涉及三户历史遗留问题，"
    "须待区住建局、自然资源局联合会审后方可办结"
)

# every box of a request card, each against every other: the area they share (0: none)
OVERLAPS = """
const card = document.getElementById(arguments[0]);
const boxes = [...card.querySelectorAll('.title, .case-text, dt, dd, .actions button')]
  .filter((e) => e.offsetParent !== null);
const out = [];
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const a = boxes[i].getBoundingClientRect(), b = boxes[j].getBoundingClientRect();
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  if (w > 0.5 && h > 0.5) out.push([boxes[i].textContent, boxes[j].textContent, w * h]);
}
return {overlaps: out, boxes: boxes.length,
  reason: card.querySelector('dd.reason').getBoundingClientRect().height,
  overflow: document.documentElement.scrollWidth - window.innerWidth};
"""

SLOW = {
    "offline": False,
    "latency": 560,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 0.7 * 1024 * 1024 / 8,
}

# a double tap; then what the tapped button shows while the answer is awaited
TWICE = """
const b = document.getElementById(arguments[0]);
b.click(); b.click();
return [b.disabled, b.classList.contains('pending'), b.textContent];
"""


def tap(driver: WebDriver, element: WebElement) -> None:
    """A thumb's tap: the control brought to the middle of the screen (clear of the page's
    fixed footer), then clicked."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


async def ask_extension(bot: Harness, world: World, unit: str, liaison: str) -> int:
    """A case forwarded to the unit, and its liaison asks for more time with a long reason."""
    group, li = world.group(unit), world[liaison]
    await bot.command(sups(world), world["督办赵"], f"/forward {unit} 安置房产权证办理")
    posted = await bot.api.next_message(group)
    reason = await bot.press(posted, li, "申请延期")
    until = await bot.answer(reason, li, REASON)
    check = await bot.answer(until, li, "1月19日18:00")
    summary = await bot.press(check, li, "正确")
    await bot.press(summary, li, "确认提交")
    await bot.drained()
    with bot.database().unit_of_work() as s:
        cases = s.exec(select(ForwardedCase).order_by(ForwardedCase.id)).all()  # type: ignore[arg-type]
        return int(cases[-1].id)  # type: ignore[arg-type]


def decide_in_browser(
    driver: WebDriver, url: str, case: int, item: int, unit_id: int, approve: bool, tag: str
) -> dict[str, Any]:
    """The board: the request read and measured, decided; the close-out decided on its
    problem's page; the unit urged twice. What the page showed at each step."""
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    seen: dict[str, Any] = {}
    driver.get(url)
    card = wait.until(ec.presence_of_element_located((By.ID, f"extension-{case}")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    seen["measured"] = driver.execute_script(OVERLAPS, f"extension-{case}")
    seen["facts"] = [e.text for e in card.find_elements(By.CSS_SELECTOR, "dd")]
    seen["card"] = card.text
    keep(driver, f"decisions-{tag}-1-request")
    if approve:  # the phone's run: every width from a small phone's to a tablet's as well
        seen["widths"] = {}
        for width in (360, 414, 600, 768, 1024, 390):
            metrics = {"width": width, "height": 844, "deviceScaleFactor": 2, "mobile": True}
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            seen["widths"][width] = driver.execute_script(OVERLAPS, f"extension-{case}")

    if approve:  # a phone on a slow network: ~560 ms a round trip, 0.7 Mbps up
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", SLOW)
        tap(driver, card.find_element(By.ID, f"ext-approve-{case}"))
        question = wait.until(
            ec.visibility_of_element_located((By.CSS_SELECTOR, f"#extension-{case} .question"))
        )
        seen["question"] = question.text
        seen["while_asking"] = [  # only the question and its two buttons
            e.is_displayed()
            for e in card.find_elements(By.CSS_SELECTOR, f"#ext-approve-{case}, textarea")
        ]
        keep(driver, f"decisions-{tag}-2-confirm")
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", card)
        card.screenshot(str(ARTIFACTS / f"decisions-{tag}-2-confirm-card.png"))  # README's
    else:
        tap(driver, card.find_element(By.ID, f"ext-reject-{case}"))
        tap(driver, wait.until(ec.element_to_be_clickable((By.ID, f"decide-ext-{case}-yes"))))
        need = wait.until(ec.visibility_of_element_located((By.ID, f"decide-ext-{case}-need")))
        seen["need"] = need.text
        keep(driver, f"decisions-{tag}-2-no-reason")
        card.find_element(By.CSS_SELECTOR, "textarea").send_keys("证据不足，请补充说明")
    y = driver.execute_script("return window.scrollY")
    # marks on the page as it is: a reload, or the figures not drawn again, would leave them
    driver.execute_script("window.kept = 1; document.getElementById('figures').dataset.old = 1")
    heading = driver.find_element(By.ID, "extensions-heading")
    seen["counts_before"] = heading.text
    seen["pending"] = driver.execute_script(TWICE, f"decide-ext-{case}-yes")  # a double tap
    told = wait.until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, f"#extension-{case} .outcome"))
    )
    seen["ext_said"] = told.text
    wait.until(lambda d: heading.text != seen["counts_before"])
    seen["counts_after"] = heading.text
    seen["redrawn"] = driver.execute_script(
        "return [window.kept, document.getElementById('figures').dataset.old || null]"
    )
    seen["stayed"] = (y, driver.execute_script("return window.scrollY"))
    seen["in_view"] = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= innerHeight",
        told,
    )
    keep(driver, f"decisions-{tag}-3-decided")

    link = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, f"#closeout-{item} a")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    button = wait.until(ec.element_to_be_clickable((By.ID, "approve" if approve else "reject")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    if not approve:
        driver.find_element(By.CSS_SELECTOR, "#decide textarea").send_keys("材料不全")
    yes = wait.until(ec.element_to_be_clickable((By.ID, "decide-yes")))
    seen["co_question"] = driver.find_element(By.CSS_SELECTOR, "#decide .confirm").text
    driver.execute_script(TWICE, "decide-yes")
    told = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#decide .outcome")))
    seen["co_said"] = told.text
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#decisions li"))
    seen["trace"] = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#decisions li")]
    seen["status_now"] = driver.find_element(By.ID, "card").text.split("\n")[1]
    seen["yes_gone"] = not driver.find_elements(By.ID, "decide-yes") or not yes.is_displayed()
    keep(driver, f"decisions-{tag}-4-closeout")

    driver.find_element(By.ID, "back").click()
    unit = wait.until(ec.element_to_be_clickable((By.ID, f"unit-{unit_id}")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", unit)
    unit.click()
    urged = []
    for _ in range(2):
        tap(driver, wait.until(ec.element_to_be_clickable((By.ID, "urge-button"))))
        seen.setdefault(
            "urge_question", driver.find_element(By.CSS_SELECTOR, "#urge .question").text
        )
        driver.execute_script(TWICE, "urge-yes")
        said = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#urge .outcome")))
        wait.until(lambda d, s=said: s.text)
        urged.append((said.text, "error" in (said.get_attribute("class") or "")))
        driver.execute_script("document.querySelector('#urge .outcome').remove()")
    seen["urged"] = urged
    seen["urged_shown"] = driver.find_element(By.ID, "urged").text
    keep(driver, f"decisions-{tag}-5-urged")
    return seen


async def test_decisions_with_care_and_a_trace_at_390_and_1280_px(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao = world["督办赵"]
    runs = (("轮台县", "李明", PHONE, "390", True), ("尉犁县", "刘芳", DESK, "1280", False))
    for unit, liaison, _, _, _ in runs:
        await ask_closeout(bot, world.group(unit), world[liaison], f"{unit[:2]}-001")
    link = await board_link(bot, world)
    for unit, liaison, size, tag, approve in runs:
        case = await ask_extension(bot, world, unit, liaison)
        code = f"{unit[:2]}-001"
        item = item_id(bot, code)
        group = world.group(unit)
        with bot.database().unit_of_work() as s:
            unit_id = int(ledger.item_by_code(s, code).unit_id)  # type: ignore[union-attr]
        bot.api.mark_read(group)
        url = page_url(bot, init_data(bot, zhao, start_param=link), link)

        def browse(
            url: str = url,
            case: int = case,
            item: int = item,
            unit_id: int = unit_id,
            approve: bool = approve,
            size: dict[str, int] = size,
            tag: str = tag,
        ) -> Any:
            with sized_browser(size) as driver:
                return decide_in_browser(driver, url, case, item, unit_id, approve, tag)

        seen = await asyncio.to_thread(browse)
        await bot.drained()
        measured = seen["measured"]
        # the reason, the time limit and the time asked for: each readable, none over another
        assert measured["overlaps"] == [] and measured["boxes"] >= 6, measured
        assert measured["overflow"] <= 0, measured
        assert seen["facts"] == [REASON, "1月12日（周五）18:00", "1月19日（周五）18:00"]
        assert "null" not in seen["card"] and "undefined" not in seen["card"], seen["card"]
        for width, at_width in seen.get("widths", {}).items():
            assert at_width["overlaps"] == [] and at_width["overflow"] <= 0, (width, at_width)
        assert seen["pending"] == [True, True, "正在提交…"]  # disabled until the answer
        told = [m["text"] for m in bot.api.unread(group)]
        if approve:
            assert (
                seen["question"]
                == f"确认同意 ZB-0001 延期至1月19日（周五）18:00？同意后通知{unit}。"
            )
            ext_told = "转办件 ZB-0001 延期已批准，新期限：1月19日（周五）18:00。"
            co_told = f"✅ 问题 {code}（问题1）已于1月10日（周三）10:00销号。"
            assert seen["co_question"].startswith(f"确认同意 {code} 销号？")
            assert seen["trace"] == ["同意销号：督办赵，1月10日（周三）10:00"]
            assert seen["status_now"].endswith("状态：已销号")
        else:
            assert seen["need"] == "请填写不同意的理由，理由将告知承办单位。"
            ext_told = (
                "转办件 ZB-0002 延期申请未获批准，理由：证据不足，请补充说明。"
                "仍须于1月12日（周五）18:00前反馈。"
            )
            co_told = f"问题 {code}（问题1）销号未通过：材料不全。已退回整改中。"
            assert seen["trace"] == ["不同意销号：督办赵，1月10日（周三）10:00；理由：材料不全"]
            assert seen["status_now"].endswith("状态：整改中")
        assert seen["ext_said"] == ext_told and seen["co_said"] == co_told
        # the heading's count and the figures follow the decision, without a reload
        assert (seen["counts_before"], seen["counts_after"]) == ("申请延期（1）", "申请延期（0）")
        assert seen["redrawn"] == [1, None]
        assert seen["in_view"] and seen["stayed"][1] >= seen["stayed"][0] - 1, seen["stayed"]
        assert seen["urge_question"].startswith(f"确认向{unit}的工作群发送催办消息")
        (first, first_refused), (second, second_refused) = seen["urged"]
        assert (first, first_refused) == (f"已催办{unit}，消息已发至其工作群。", False)
        assert second_refused and second == (
            f"{unit}今天已于1月10日（周三）10:00由督办赵催办，每个工作日最多催办一次。"
        )
        assert seen["urged_shown"] == "已催办 1月10日（周三）10:00 督办赵"
        # each decision tapped twice, made once; one 催办; the unit hears each once
        urges = [t for t in told if t.startswith("📣 催办")]
        assert len(urges) == 1 and f"{unit}，请抓紧推进整改" in urges[0], told
        assert [t for t in told if not t.startswith("📣")] == [ext_told, co_told]
        with bot.database().unit_of_work() as s:
            made = s.exec(select(Decision).where(Decision.unit_id == unit_id)).all()
            assert sorted(d.what for d in made) == sorted(
                ["extension.approved", "closeout.approved"]
                if approve
                else ["extension.rejected", "closeout.rejected"]
            )
            assert len(s.exec(select(Urging).where(Urging.unit_id == unit_id)).all()) == 1
            # every write went under an id the page made for it (two 催办 intents: two ids)
            sent = [a.action_id.split("-")[0] for a in s.exec(select(PageAction)).all()]
            runs_done = 1 if approve else 2  # the phone's run, then the desk's
            assert sorted(sent) == sorted(["co", "ext", "urge", "urge"] * runs_done), sent
            item_now = ledger.item_by_code(s, code)
            assert item_now is not None and item_now.status == ("closed" if approve else "open")
            # the rejection's reason is the decision's, not the problem's latest progress
            last = ledger.progress_of(s, int(item_now.id))[-1]  # type: ignore[arg-type]
            assert "材料不全" not in (last.text + last.reason + last.result)


async def test_the_server_refuses_a_rejection_without_reason_and_answers_a_copy_once(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao, group = world["督办赵"], world.group("轮台县")
    await ask_closeout(bot, group, world["李明"], "轮台-001")
    case = await ask_extension(bot, world, "轮台县", "李明")
    page_link = await board_link(bot, world)
    page = MiniApp(bot, zhao, page_link)
    path = f"api/board/cases/{case}/decision"
    for blank in ({"approve": False}, {"approve": False, "reason": "  "}):
        status, refused = await page.call("POST", path, action="ext-blank-0001", json=blank)
        assert (status, refused["errors"]) == (422, {"reason": "此项必填"}), refused
        status, refused = await page.call("POST", path, json=blank)
        assert status == 422
    with bot.database().unit_of_work() as s:
        assert s.exec(select(ForwardedCase)).one().fields["extension"]["status"] == "pending"
        outbox = len(s.exec(select(OutboxMessage)).all())
    bot.api.mark_read(group)
    reject = {"approve": False, "reason": "理由不充分"}
    (s1, a1), (s2, a2) = await asyncio.gather(
        page.call("POST", path, action="ext-twice-0001", json=reject),
        page.call("POST", path, action="ext-twice-0001", json=reject),
    )
    assert (s1, s2) == (200, 200) and a1["said"] == a2["said"], (a1, a2)
    item = item_id(bot, "轮台-001")
    _, shown = await page.call("GET", f"api/board/items/{item}")
    approve = {"ask": shown["ask"], "approve": True}
    co = f"api/board/items/{item}/decision"
    (s1, a1), (s2, a2) = await asyncio.gather(
        page.call("POST", co, action="co-twice-0001", json=approve),
        page.call("POST", co, action="co-twice-0001", json=approve),
    )
    assert (s1, s2) == (200, 200) and a1["said"] == a2["said"], (a1, a2)
    units = (await page.call("GET", "api/board"))[1]["units"]
    unit_id = next(u["id"] for u in units if u["name"] == "轮台县")
    urge = f"api/board/units/{unit_id}/urge"
    (s1, a1), (s2, a2) = await asyncio.gather(
        page.call("POST", urge, action="urge-twice-01", json={}),
        page.call("POST", urge, action="urge-twice-01", json={}),
    )
    assert (s1, s2) == (200, 200) and a1 == a2, (a1, a2)  # the copy hears the first answer
    status, again = await page.call("POST", urge, action="urge-again-01", json={})
    assert status == 409 and "每个工作日最多催办一次" in again["error"]
    units = (await page.call("GET", "api/board"))[1]["units"]
    shown = {u["name"]: u["urged"] for u in units}
    assert shown["轮台县"] == "已催办 1月10日（周三）10:00 督办赵" and shown["尉犁县"] == ""
    liaison = MiniApp(bot, world["李明"], page_link)
    status, denied = await liaison.call("POST", urge, action="urge-li-0001", json={})
    assert (status, denied["error"]) == (403, "抱歉，您没有使用 /board 的权限。")
    await bot.drained()
    told = [m["text"] for m in bot.api.unread(group)]
    assert len(told) == 3, told  # the rejection with its reason, the close-out, one 催办
    assert told[0].endswith("理由：理由不充分。仍须于1月12日（周五）18:00前反馈。")
    _, item_page = await page.call("GET", f"api/board/items/{item}")
    assert [d["text"] for d in item_page["decisions"]] == ["同意销号：督办赵，1月10日（周三）10:00"]
    with bot.database().unit_of_work() as s:
        assert len(s.exec(select(OutboxMessage)).all()) == outbox + 3
    with bot.database().unit_of_work() as s:
        assert len(s.exec(select(Decision)).all()) == 2

    await bot.command(zhao.private, zhao, "/lang en")  # the same trace, in his language
    await bot.settle(zhao.private)
    menu = MiniApp(bot, zhao)  # in private: the person's language (a group's link: the group's)
    _, in_english = await menu.call("GET", f"api/board/items/{item}")
    [line] = [d["text"] for d in in_english["decisions"]]
    assert line.startswith("Close-out approved: 督办赵, ") and "10:00" in line, line
    assert in_english["texts"]["d_confirm"] == "Confirm"


async def test_in_the_chat_rejecting_an_extension_asks_why_and_item_and_case_show_decisions(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao, group, sup_group = world["督办赵"], world.group("轮台县"), sups(world)
    await ask_closeout(bot, group, world["李明"], "轮台-001")
    await ask_extension(bot, world, "轮台县", "李明")
    request = next(m for m in bot.api.bot_messages(sup_group) if "申请转办件" in m["text"])
    bot.api.mark_read(group)
    bot.api.mark_read(sup_group)
    asked = await bot.press(request, zhao, "不同意")
    assert "\n请回复不同意延期的理由（将告知承办单位）：\n" in asked["text"]
    with bot.database().unit_of_work() as s:  # nothing decided until the reason is given
        assert s.exec(select(ForwardedCase)).one().fields["extension"]["status"] == "pending"
    said = await bot.answer(asked, zhao, "请先完成产权核实")
    wanted = (
        "转办件 ZB-0001 延期申请未获批准，理由：请先完成产权核实。"
        "仍须于1月12日（周五）18:00前反馈。"
    )
    assert said["text"] == wanted
    await bot.drained()
    assert [m["text"] for m in bot.api.unread(group)] == [wanted]
    case = await bot.command(sup_group, zhao, "/case ZB-0001")
    assert case["text"].endswith(
        "审批记录：\n不同意延期：督办赵，1月10日（周三）10:00；理由：请先完成产权核实"
    )

    co = next(m for m in bot.api.bot_messages(sup_group) if "轮台-001" in m.get("text", ""))
    bot.api.mark_read(sup_group)
    reason = await bot.press(co, zhao, "不同意")
    await bot.answer(reason, zhao, "照片不清晰")
    shown = await bot.command(sup_group, zhao, "/item 轮台-001")
    body = shown["text"]
    assert "\n审批记录：\n不同意销号：督办赵，1月10日（周三）10:00；理由：照片不清晰\n" in body
    assert "最新进展：过渡安置费已全部补发到户" in body  # the reason is not its progress
    # the liaison's page of the problem says why, under its card
    await bot.drained()
    bot.api.mark_read(group)
    await bot.settle(group)
    week = await bot.command(group, world["李明"], "/weekly")
    liaisons = MiniApp(bot, world["李明"], start_param(app_url(week)))
    status, page = await liaisons.call("GET", f"api/items/{item_id(bot, '轮台-001')}")
    assert status == 200 and page["card"].endswith(
        "审批记录：\n不同意销号：督办赵，1月10日（周三）10:00；理由：照片不清晰"
    ), page
