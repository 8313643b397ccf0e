"""The supervisors' board's API, called as its page calls it: the units behind first, a unit's
ledger, a problem's history with its photo fetched through the server, the charts and
documents, and decisions made through the chat buttons' own code (the unit's group hears the
very message the button would have sent). A liaison, a stranger, forged and stale initData,
and another page's link are refused with one line, and nothing changes."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

from docx import Document
from PIL import Image
from sqlmodel import select

from bot.telegram.applinks import app_key, payload_of
from storage import ledger
from storage.models import AuditEvent, ForwardedCase, OutboxMessage
from tests.harness import Harness, MakeWorld, World, build_world
from tests.miniapp import MiniApp, init_data, start_param
from workflows.forms.deeplink import EVIDENCE_FILE, WEEK_PAGE, AppLink, Ticket, make_ticket


def png(width: int = 64, height: int = 48) -> bytes:
    """A real picture (the browser decodes it): a small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


PHOTO = png()


MINI_APP = True  # the `bot` fixture serves the Mini App


async def board_world(make_world: MakeWorld) -> World:
    """Three units, each with a liaison and two problems due 5 Jan (overdue on the 10th),
    a supervisor, a stranger, and the supervisors' group."""
    world = await make_world(
        units=["轮台县", "尉犁县", "库尔勒市"],
        liaisons={"轮台县": "李明", "尉犁县": "刘芳", "库尔勒市": "王强"},
        supervisors=["督办赵"],
        people=["路人甲"],
        supervisors_group="专班群",
    )
    for unit, liaison in (("轮台县", "李明"), ("尉犁县", "刘芳")):
        world.add_items(unit, 2, by=world[liaison])
    world.add_items("库尔勒市", 1, due_on="2024-06-30", by=world["王强"])
    await world.bot.settle(world["督办赵"].private, sups(world))
    return world


async def ask_closeout(bot: Harness, group: dict, li: dict, code: str) -> None:
    """A liaison asks for a close-out in the group with /close, a result and a photo."""
    prompt = await bot.command(group, li, f"/close {code}")
    evidence = await bot.answer(prompt, li, "过渡安置费已全部补发到户")
    await bot.api.send_file(
        group,
        li,
        name="现场照片.png",
        size=len(PHOTO),
        photo=True,
        reply_to=evidence,
        content=PHOTO,
    )
    summary = await bot.press(await bot.api.next_message(group), li, "完成")
    await bot.press(summary, li, "确认提交")


async def board_link(bot: Harness, world: World) -> str:
    """/board in the supervisors' group: its direct link's payload."""
    group, zhao = sups(world), world["督办赵"]
    await bot.settle(group)
    offer = await bot.command(group, zhao, "/board")
    assert offer["text"].startswith("请点击下方按钮打开督办看板")
    url = offer["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url.startswith("https://t.me/") and "/form?startapp=" in url
    bot.api.mark_read(group)
    return start_param(url)


def sups(world: World) -> dict[str, Any]:
    """The supervisors' group."""
    assert world.supervisors_group is not None
    return world.supervisors_group


def item_id(bot: Harness, code: str) -> int:
    with bot.database().unit_of_work() as s:
        return int(ledger.item_by_code(s, code).id)  # type: ignore[union-attr,arg-type]


def unit_messages(bot: Harness, world: World, unit: str) -> list[str]:
    return [m["text"] for m in bot.api.bot_messages(world.group(unit))]


async def test_the_board_shows_every_unit_behind_first_and_decides_as_the_chat_buttons(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao, sup_group = world["督办赵"], sups(world)
    await ask_closeout(bot, world.group("轮台县"), world["李明"], "轮台-001")
    await ask_closeout(bot, world.group("尉犁县"), world["刘芳"], "尉犁-001")
    await bot.drained()
    link = await board_link(bot, world)
    page = MiniApp(bot, zhao, link)

    status, board = await page.call("GET", "api/board")
    assert status == 200, board
    assert board["title"] == "督办看板"
    names = [u["name"] for u in board["units"]]
    assert set(names[:2]) == {"轮台县", "尉犁县"}  # two problems overdue each: first
    assert names.index("库尔勒市") > 1 and len(names) > 3  # the campaign's other units too
    assert all(u["behind"] for u in board["units"][:2])
    first = board["units"][0]
    assert (first["total"], first["overdue"], first["closing"]) == (2, 2, 1)
    assert first["weekly_text"] == "未报送"
    assert [c["code"] for c in board["closeouts"]] == ["轮台-001", "尉犁-001"]
    assert board["closeouts"][0]["files"] == 1
    assert board["texts"]["b_approve"] == "同意销号"
    assert board["checkpoint"]["heading"] == "下一时间节点约谈情况"

    status, ledger_page = await page.call("GET", f"api/board/units/{first['id']}")
    assert status == 200 and len(ledger_page["items"]) == 2
    assert any(i["overdue"] for i in ledger_page["items"])

    luntai = item_id(bot, "轮台-001")
    status, item = await page.call("GET", f"api/board/items/{luntai}")
    assert status == 200 and item["ask"] and "已完成待销号" in item["card"]
    assert "过渡安置费已全部补发到户" in item["history"][-1]
    [photo] = item["files"]
    assert photo["media"] == "photo"
    status, body, headers = await page.fetch(photo["path"])
    assert status == 200 and body == PHOTO  # fetched from Telegram by the server
    assert headers["Content-Type"] == "image/jpeg"
    assert bot.settings.telegram_bot_token not in str(headers)
    # Telegram's client downloads by ticket, without our headers: the same file, for him only
    anyone = MiniApp(bot, zhao, data="")
    status, body, _ = await anyone.fetch(photo["ticket"])
    assert status == 200 and body == PHOTO
    key = app_key(bot.settings)
    tampered = photo["ticket"][:-2] + ("AA" if not photo["ticket"].endswith("AA") else "BB")
    expired = Ticket(zhao["id"], EVIDENCE_FILE, bot.clock() - timedelta(minutes=1), luntai, 0)
    liaisons = Ticket(world["李明"]["id"], EVIDENCE_FILE, bot.clock() + timedelta(hours=1), luntai)
    for ticket, status_wanted, reason in (
        (tampered.rsplit("/", 1)[1], 403, "链接无效，请从群内最新消息重新打开。"),
        (make_ticket(key, expired), 403, "链接已过期，请从群内最新消息重新打开。"),
        (make_ticket(key, liaisons), 403, "抱歉，您没有使用 /board 的权限。"),
    ):
        status, body, _ = await anyone.fetch(f"api/board/download/{ticket}")
        assert (status, json.loads(body)["error"]) == (status_wanted, reason)
    status, docx_by_ticket, _ = await anyone.fetch(board["downloads"]["circular"])
    assert status == 200 and docx_by_ticket.startswith(b"PK")

    # the chat's button decides 尉犁-001, the board decides 轮台-001: the same message each
    request = next(m for m in bot.api.bot_messages(sup_group) if "尉犁-001" in m.get("text", ""))
    by_chat = await bot.press(request, zhao, "同意销号")
    await bot.drained()
    before = len(unit_messages(bot, world, "轮台县"))
    status, decided = await page.call(
        "POST", f"api/board/items/{luntai}/decision", json={"ask": item["ask"], "approve": True}
    )
    assert status == 200, decided
    assert decided["said"] == [by_chat["text"].replace("尉犁", "轮台")]
    await bot.drained()
    told = unit_messages(bot, world, "轮台县")[before:]
    assert told == [unit_messages(bot, world, "尉犁县")[-1].replace("尉犁", "轮台")]
    with bot.database().unit_of_work() as s:
        assert ledger.item_by_code(s, "轮台-001").status == "closed"  # type: ignore[union-attr]
        approvals = s.exec(select(AuditEvent).where(AuditEvent.action == "item.closed")).all()
        assert sorted(a.actor_user_id for a in approvals) == [zhao["id"], zhao["id"]]

    # decided already: the same refusal as a late press, nothing changes
    status, again = await page.call(
        "POST", f"api/board/items/{luntai}/decision", json={"ask": item["ask"], "approve": True}
    )
    assert status == 409 and "已处理" in again["error"]

    status, chart, _ = await page.fetch("api/board/chart.png")
    assert status == 200 and chart.startswith(b"\x89PNG")
    status, docx, headers = await page.fetch("api/board/circular.docx")
    assert "attachment" in headers["Content-Disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(docx)).paragraphs]
    assert any(p.startswith("关于") and p.endswith("通报") for p in paragraphs)
    status, xlsx, _ = await page.fetch("api/board/export.xlsx")
    assert status == 200 and xlsx.startswith(b"PK")


async def test_a_rejection_needs_its_reason_and_an_extension_is_decided_on_the_board(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao, group, li = world["督办赵"], world.group("轮台县"), world["李明"]
    await ask_closeout(bot, group, li, "轮台-002")
    await bot.drained()
    page = MiniApp(bot, zhao, await board_link(bot, world))
    item = item_id(bot, "轮台-002")
    _, shown = await page.call("GET", f"api/board/items/{item}")
    status, empty = await page.call(
        "POST", f"api/board/items/{item}/decision", json={"ask": shown["ask"], "approve": False}
    )
    assert status == 422 and empty["errors"] == {"reason": "此项必填"}
    bot.api.mark_read(group)
    status, _ = await page.call(
        "POST",
        f"api/board/items/{item}/decision",
        json={"ask": shown["ask"], "approve": False, "reason": "材料不全"},
    )
    assert status == 200
    told = await bot.api.next_message(group)
    assert told["text"] == "问题 轮台-002（问题2）销号未通过：材料不全。已退回整改中。"

    await bot.command(sups(world), zhao, "/forward 轮台县 安置房产权证办理")
    posted = await bot.api.next_message(group)
    reason = await bot.press(posted, li, "申请延期")
    until = await bot.answer(reason, li, "需不动产登记中心配合")
    check = await bot.answer(until, li, "1月19日18:00")
    summary = await bot.press(check, li, "正确")
    await bot.press(summary, li, "确认提交")
    await bot.drained()
    _, board = await page.call("GET", "api/board")
    [asked] = board["extensions"]
    assert (asked["code"], asked["reason"]) == ("ZB-0001", "需不动产登记中心配合")
    assert (asked["due"], asked["until"]) == ("1月12日（周五）18:00", "1月19日（周五）18:00")
    bot.api.mark_read(group)
    status, decided = await page.call(
        "POST", f"api/board/cases/{asked['case']}/decision", json={"approve": True}
    )
    assert status == 200, decided
    told = await bot.api.next_message(group)
    assert told["text"] == "转办件 ZB-0001 延期已批准，新期限：1月19日（周五）18:00。"
    assert decided["said"] == [told["text"]]
    with bot.database().unit_of_work() as s:
        assert s.exec(select(ForwardedCase)).one().fields["extension"]["status"] == "approved"


async def test_every_refusal_says_why_in_one_line_and_changes_nothing(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao, li, nobody = world["督办赵"], world["李明"], world["路人甲"]
    await ask_closeout(bot, world.group("轮台县"), li, "轮台-001")
    await bot.drained()
    link = await board_link(bot, world)
    item = item_id(bot, "轮台-001")
    ask = {"ask": None, "approve": True}
    with bot.database().unit_of_work() as s:
        outbox_before = len(s.exec(select(OutboxMessage)).all())

    def refused(status: int, body: dict[str, Any], wanted: int) -> str:
        assert status == wanted, body
        assert body["ok"] is False and "\n" not in body["error"]
        return str(body["error"])

    paths = (
        ("GET", "api/board"),
        ("GET", f"api/board/items/{item}"),
        ("GET", f"api/board/items/{item}/files/0"),
        ("POST", f"api/board/items/{item}/decision"),
        ("GET", "api/board/circular.docx"),
    )
    signed = init_data(bot, zhao, start_param=link)
    stale = init_data(bot, zhao, start_param=link, at=bot.clock() - timedelta(days=1, minutes=1))
    week = payload_of(
        bot.settings,
        AppLink(
            WEEK_PAGE, 1, 0, bot.clock() + timedelta(hours=1), chat_id=world.group("轮台县")["id"]
        ),
    )
    cases = [
        (
            MiniApp(bot, zhao, link, data=""),
            401,
            "未收到 Telegram 的身份数据，请从 Telegram 中打开本页面。",
        ),
        (
            MiniApp(bot, zhao, link, data=signed.replace("hash=", "hash=0")),
            401,
            "身份数据校验失败，请从 Telegram 中重新打开本页面。",
        ),
        (
            MiniApp(bot, zhao, link, data=stale),
            401,
            "身份数据已超过一天，请从 Telegram 中重新打开本页面。",
        ),
        (MiniApp(bot, li, link), 403, "抱歉，您没有使用 /board 的权限。"),
        (MiniApp(bot, nobody, link), 403, "抱歉，您没有使用 /board 的权限。"),
        (MiniApp(bot, zhao, week), 403, "链接无效，请从群内最新消息重新打开。"),
    ]
    for page, wanted, reason in cases:
        for method, path in paths:
            status, body = await page.call(method, path, json=ask)
            assert refused(status, body, wanted) == reason, (page.headers, path)
    await bot.drained()
    with bot.database().unit_of_work() as s:
        assert ledger.item_by_code(s, "轮台-001").status == "closing"  # type: ignore[union-attr]
        assert len(s.exec(select(OutboxMessage)).all()) == outbox_before


async def test_board_opens_from_the_private_chat_and_speaks_the_persons_language(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await board_world(make_world)
    zhao, li = world["督办赵"], world["李明"]
    private = zhao.private
    offer = await bot.command(private, zhao, "/board")
    button = offer["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "📊 督办看板" and button["web_app"]["url"].startswith(bot.web_url)
    summary = await bot.command(private, zhao, "/summary")  # where supervisors look already
    labels = [b["text"] for row in summary["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["下载通报（Word）", "📊 督办看板"]
    await bot.settle(private)
    denied = await bot.command(world.group("轮台县"), li, "/board")
    assert denied["text"] == "抱歉，您没有使用 /board 的权限。"

    menu = MiniApp(bot, zhao)  # the private chat's menu button: no link at all
    status, opened = await menu.call("GET", "api/open")
    assert (status, opened["page"]) == (200, "board")
    status, opened = await MiniApp(bot, li).call("GET", "api/open")
    assert opened["page"] == "week"  # a liaison's menu opens the week, as before

    await bot.command(private, zhao, "/lang en")
    page = MiniApp(bot, zhao, start_param(button["web_app"]["url"]))
    status, board = await page.call("GET", "api/board")
    assert status == 200, board
    assert board["title"] == "Supervision board"
    assert board["texts"]["b_approve"] == "Approve"
    assert board["units"][0]["weekly_text"] != "未报送"


async def test_the_board_shows_the_next_checkpoints_list_as_it_stands(db_url: str) -> None:
    bot = Harness(db_url, template="jincheng-2024", mini_app=True)  # seed 003's checkpoints
    await bot.start()
    try:
        world = await build_world(
            bot, units=["泽州县住建局", "高平市住建局"], supervisors=["督办赵"]
        )
        world.add_items("泽州县住建局", 2, due_on="2024-01-05")  # past its 办结时间, not 销号
        world.add_items("高平市住建局", 1, due_on="2024-06-30")
        page = MiniApp(bot, world["督办赵"])
        status, board = await page.call("GET", "api/board")
        assert status == 200, board
        lines = board["checkpoint"]["lines"]
        assert lines[0].startswith("按照方案，将在2024年底（2024年12月31日）对未按计划完成整改的县")
        assert "以下1个单位" in lines[1]
        assert lines[2].startswith("泽州县住建局（2个）：泽州-001 问题1（办结时间2024年1月5日）")
    finally:
        await bot.stop()
