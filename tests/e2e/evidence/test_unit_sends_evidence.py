"""End to end: evidence kept with its SHA-256, size, type, sender and time of receipt; a file
already used for another unit's problem is flagged to the supervisor deciding the close-out,
with that problem's code, who sent it and when."""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from openpyxl import load_workbook
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import col, select

from storage import ledger
from storage.audit import Stamp
from storage.models import Evidence, LedgerItem
from tests.browser import PHONE, keep, sized_browser
from tests.e2e.board.test_supervisor_reads_the_board import PHOTO as BOARD_PHOTO
from tests.e2e.board.test_supervisor_reads_the_board import board_link, board_world, item_id, sups
from tests.harness import Group, Harness, MakeWorld, Person, World
from tests.miniapp import MiniApp, app_url, init_data, page_url, start_param
from tests.workflows.problems.test_evidence import jpeg
from workflows.guards import required
from workflows.problems.ledger import Progress

MINI_APP = True  # the `bot` fixture serves the Mini App

PHOTO = b"\xff\xd8\xff\xdb not really a jpeg, the same bytes twice"


async def _close_out(
    bot: Harness, li: Person, group: Group, content: bytes, where: dict[str, str] | None = None
) -> int:
    """The liaison asks for the close-out of their unit's one problem from the Mini App (with
    the phone's location, as the page sends it when allowed)."""
    assert li.private  # the bot may write to them: uploads are kept in their private chat
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    item = int((await page.week())["items"][0]["id"])
    form = aiohttp.FormData()
    form.add_field("result", "已整改到位")
    form.add_field("file", content, filename="site.jpg", content_type="image/jpeg")
    for key, value in (where or {}).items():
        form.add_field(key, value)
    status, said = await page.call("POST", f"api/items/{item}/closeout", data=form)
    assert status == 200, said
    return item


async def _two_units(bot: Harness, make_world: MakeWorld) -> tuple[World, dict[str, Any]]:
    """尉犁县 (张三) and 轮台县 (李明), each with its group, and 督办赵's private chat, settled."""
    world = await make_world(
        units=["尉犁县", "轮台县"],
        liaisons={"尉犁县": "张三", "轮台县": "李明"},
        supervisors=["督办赵"],
    )
    sup = world["督办赵"].private
    await bot.settle(sup, world.group("尉犁县"), world.group("轮台县"))
    return world, sup


async def test_a_photo_used_again_for_another_units_problem_is_flagged_with_who_and_when(
    bot: Harness, make_world: MakeWorld
) -> None:
    world, sup = await _two_units(bot, make_world)
    (first,) = world.add_items("尉犁县", 1)
    (second,) = world.add_items("轮台县", 1)
    first_id = await _close_out(bot, world["张三"], world.group("尉犁县"), PHOTO)
    received = bot.clock()
    await bot.drained()
    request = await bot.api.next_message(sup)
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert first in request["text"] and sha[:8] in request["text"]
    assert "同一文件" not in request["text"]  # its first use: nothing to flag
    with bot.db.unit_of_work() as s:
        (kept,) = s.exec(select(Evidence).where(Evidence.item_id == first_id)).all()
        assert (kept.sha256, kept.size, kept.mime) == (sha, len(PHOTO), "image/jpeg")
        assert kept.sender_user_id == world["张三"]["id"]
        assert kept.received_at == received.astimezone(UTC)
        assert (
            kept.unit_id == s.exec(select(LedgerItem.unit_id).where(LedgerItem.code == first)).one()
        )

    bot.clock.advance(days=1)
    await _close_out(bot, world["李明"], world.group("轮台县"), PHOTO)
    await bot.drained()
    request = await bot.api.next_message(sup)
    assert second in request["text"]
    on = received.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert f"同一文件已作为{first}的印证材料" in request["text"], request["text"]
    assert "由张三提交" in request["text"]
    assert f"{on.month}月{on.day}日" in request["text"]

    # the export's 印证材料 column: each file with its receipt and short hash
    zhao = world["督办赵"]
    export = await zhao.say(sup, "/export")
    column = _evidence_column(export["payload"])
    local = received.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"site.jpg（{local.month}月{local.day}日" in column[0] and sha[:8] in column[0], column
    assert len(column) == 2 and all(sha[:8] in c for c in column)
    # /evidence: the full record, for an inspection; a liaison may not ask
    record = await zhao.say(sup, f"/evidence {second}")
    assert sha in record["text"] and f"{len(PHOTO)}字节" in record["text"], record["text"]
    assert "提交人：李明" in record["text"] and f"同一文件已作为{first}" in record["text"]
    bot.api.mark_read(world["李明"].private)  # the photo kept there from the Mini App
    denied = await world["李明"].say(world["李明"].private, f"/evidence {second}")
    assert denied["text"] == "抱歉，您没有使用 /evidence 的权限。"


def _evidence_column(payload: bytes) -> list[str]:
    """The 印证材料 cells of the export's progress sheet."""
    book = load_workbook(io.BytesIO(payload))
    for sheet in book.worksheets:
        rows = [[str(c.value or "") for c in r] for r in sheet.iter_rows()]
        for n, row in enumerate(rows):
            if "印证材料" in row:
                at = row.index("印证材料")
                return [r[at] for r in rows[n + 1 :] if r[at]]
    raise AssertionError("no 印证材料 column")


async def _close_in_chat(bot: Harness, group: Group, li: Person, code: str, same: str) -> None:
    """/close in the group with a result and a photo: the Telegram file `same` sends again."""
    prompt = await bot.command(group, li, f"/close {code}")
    evidence = await bot.answer(prompt, li, "已整改到位")
    await bot.api.send_file(
        group,
        li,
        name="照片.png",
        size=len(BOARD_PHOTO),
        photo=True,
        reply_to=evidence,
        content=BOARD_PHOTO,
        unique_id=same,
    )
    summary = await bot.press(await bot.api.next_message(group), li, "完成")
    await bot.press(summary, li, "确认提交")


def _flags_on_a_phone(url: str, item: int) -> dict[str, Any]:
    """The board at 390 px: the close-out card's flags, then the problem's page, its files
    named with their receipt and its flags; what was seen."""
    with sized_browser(PHONE) as driver:
        wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
        driver.get(url)
        card = wait.until(ec.presence_of_element_located((By.ID, f"closeout-{item}")))
        flags = wait.until(ec.presence_of_element_located((By.ID, f"flags-{item}")))
        wait.until(ec.presence_of_element_located((By.ID, "charts")))  # drawn by the page
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
        seen: dict[str, Any] = {
            "card_flags": flags.text,
            "overflow": driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            ),
            "flag_inside": driver.execute_script(
                "const c = arguments[0].getBoundingClientRect(),"
                " f = arguments[1].getBoundingClientRect();"
                "return f.left >= c.left && f.right <= c.right + 0.5;",
                card,
                flags,
            ),
        }
        keep(driver, "evidence-390-1-card")
        link = card.find_element(By.TAG_NAME, "a")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        page_flags = wait.until(ec.presence_of_element_located((By.ID, "flags")))
        seen["page_flags"] = page_flags.text
        seen["files"] = [
            b.text for b in driver.find_elements(By.CSS_SELECTOR, "#evidence button.link")
        ]
        seen["page_overflow"] = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        keep(driver, "evidence-390-2-problem")
        return seen


async def test_a_chat_photo_sent_again_is_flagged_on_the_boards_close_out_card(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao = world["督办赵"]
    await _close_in_chat(bot, world.group("尉犁县"), world["刘芳"], "尉犁-001", "AQADsame")
    first = bot.clock()
    bot.clock.advance(days=1, hours=2)
    await _close_in_chat(bot, world.group("轮台县"), world["李明"], "轮台-001", "AQADsame")
    await bot.drained()
    # in the chat: the close-out request to the supervisors says it
    said = [m["text"] for m in bot.api.bot_messages(sups(world))]
    (request,) = [t for t in said if t.startswith("轮台县申请销号")]
    day = first.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"同一文件已作为尉犁-001的印证材料，{day.month}月{day.day}日" in request, request
    assert "由刘芳提交" in request
    (earlier,) = [t for t in said if t.startswith("尉犁县申请销号")]
    assert "同一文件" not in earlier
    # on the board: the close-out card, and the problem's page with each file's receipt
    link = await board_link(bot, world)
    page = MiniApp(bot, zhao, link)
    status, board = await page.call("GET", "api/board")
    assert status == 200, board
    cards = {c["code"]: c for c in board["closeouts"]}
    # each card tells of the other: the supervisor deciding either should know
    (back,) = cards["尉犁-001"]["evidence_flags"]
    assert "轮台-001" in back and "李明" in back
    (flag,) = cards["轮台-001"]["evidence_flags"]
    assert "尉犁-001" in flag and "刘芳" in flag
    status, shown = await page.call("GET", f"api/board/items/{item_id(bot, '轮台-001')}")
    assert status == 200 and shown["evidence_flags"] == [flag]
    (file,) = shown["files"]
    sha = hashlib.sha256(BOARD_PHOTO).hexdigest()  # fetched from Telegram: its short hash
    assert sha[:8] in file["label"] and "收到" in file["label"], file
    # and in a real browser at a phone's width: on the card and on the problem's page
    url = page_url(bot, init_data(bot, zhao, start_param=link), link)
    seen = await asyncio.to_thread(_flags_on_a_phone, url, item_id(bot, "轮台-001"))
    assert seen["card_flags"] == flag and seen["page_flags"] == flag, seen
    assert seen["overflow"] <= 0 and seen["page_overflow"] <= 0 and seen["flag_inside"], seen
    assert len(seen["files"]) == 1 and f"收到，{sha[:8]}）" in seen["files"][0], seen
    with bot.db.unit_of_work() as s:
        rows = s.exec(select(Evidence).order_by(col(Evidence.id))).all()
        assert [(r.unique_id, r.sha256, r.sender_user_id) for r in rows] == [
            ("AQADsame", sha, world["刘芳"]["id"]),
            ("AQADsame", sha, world["李明"]["id"]),
        ]
        assert rows[0].received_at == first.astimezone(UTC)


async def test_a_photo_taken_long_before_it_was_sent_is_flagged_to_the_supervisor(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": "张三"}, supervisors=["督办赵"])
    sup = world["督办赵"].private
    await bot.settle(sup, world.group("尉犁县"))
    (code,) = world.add_items("尉犁县", 1)
    old = bot.clock().astimezone(ZoneInfo("Asia/Shanghai")).replace(year=bot.clock().year - 1)
    photo = jpeg(old.strftime("%Y:%m:%d %H:%M:%S"))
    await _close_out(bot, world["张三"], world.group("尉犁县"), photo)
    await bot.drained()
    request = (await bot.api.next_message(sup))["text"]
    assert code in request and f"照片拍摄时间为{old.year}年{old.month}月{old.day}日" in request, (
        request
    )
    with bot.db.unit_of_work() as s:
        (kept,) = s.exec(select(Evidence)).all()
        assert kept.taken_at == old.strftime("%Y:%m:%d %H:%M:%S")
        assert kept.sha256 == hashlib.sha256(photo).hexdigest()


async def test_a_long_evidence_record_comes_as_a_file_with_every_file_in_it(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], liaisons={"尉犁县": "张三"}, supervisors=["督办赵"])
    sup = world["督办赵"].private
    await bot.settle(sup)
    (code,) = world.add_items("尉犁县", 1)
    files = [
        {
            "file_id": f"F{n}",
            "name": f"现场照片{n:02}.jpg",
            "mime": "image/jpeg",
            "size": 1000 + n,
            "media": "photo",
            "sha256": hashlib.sha256(bytes([n])).hexdigest(),
            "sender": world["张三"]["id"],
            "received_at": bot.clock().isoformat(),
        }
        for n in range(30)
    ]
    with bot.db.unit_of_work() as s:  # thirty files in one week's progress, as the week saves
        item = required(ledger.item_by_code(s, code), code)
        week = Progress("plan", bot.clock().date(), text="推进中", files=tuple(files))
        ledger.add_progress(s, item, week, Stamp(bot.clock(), world["张三"]["id"]))
    said = await world["督办赵"].say(sup, f"/evidence {code}")
    assert said["caption"] == f"{code} 的印证材料记录（30份）较长，见附件。"
    record = said["payload"].decode("utf-8")
    assert all(f["sha256"] in record and f["name"] in record for f in files)
    assert record.count("提交人：张三") == 30 and record.startswith(f"{code} 问题1 · 印证材料记录")


async def test_the_location_sent_with_an_upload_is_kept_and_shown_to_an_inspection(
    bot: Harness, make_world: MakeWorld
) -> None:
    world, sup = await _two_units(bot, make_world)
    (code,) = world.add_items("尉犁县", 1)
    (other,) = world.add_items("轮台县", 1)
    where = {"latitude": "41.3365", "longitude": "86.2634", "accuracy": "12.5"}
    await _close_out(bot, world["张三"], world.group("尉犁县"), PHOTO, where)
    absurd = {"latitude": "123", "longitude": "86.2634", "accuracy": "5"}
    await _close_out(bot, world["李明"], world.group("轮台县"), PHOTO + b"2", absurd)
    with bot.db.unit_of_work() as s:
        rows = s.exec(select(Evidence).order_by(col(Evidence.id))).all()
        assert [(r.latitude, r.longitude, r.accuracy) for r in rows] == [
            (41.3365, 86.2634, 12.5),
            (None, None, None),  # not a place on Earth: not kept
        ]
    await bot.drained()  # the two close-out requests reach the supervisor first
    bot.api.mark_read(sup)
    record = await world["督办赵"].say(sup, f"/evidence {code}")
    assert "提交位置：41.3365, 86.2634（精度约12.5米）" in record["text"], record["text"]
    record = await world["督办赵"].say(sup, f"/evidence {other}")
    assert "提交位置" not in record["text"]
