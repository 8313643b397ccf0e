"""Hostile calls against the Mini App's server, each answered in one line with nothing
changed: ids no route could parse, nested JSON, cut and oversized bodies, slow headers and
bodies, forged and future initData, strangers, control characters, odd stored files."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import col, func, select

from bot.web import request_limits
from bot.web.server import CSP
from storage.models import Chat, FormDraft, LedgerItem, Person, ProgressUpdate
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, app_url, init_data, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App

ID_ROUTES = [
    ("GET", "api/items/{}"),
    ("POST", "api/items/{}/closeout"),
    ("PUT", "api/week/items/{}"),
    ("POST", "api/week/items/{}/files"),
    ("DELETE", "api/week/items/{}/files/0"),
    ("DELETE", "api/week/items/1/files/{}"),
    ("GET", "api/board/units/{}"),
    ("GET", "api/board/items/{}"),
    ("POST", "api/board/items/{}/decision"),
    ("POST", "api/board/cases/{}/decision"),
    ("GET", "api/board/items/{}/files/0"),
    ("GET", "api/board/items/1/files/{}"),
]


def counts(bot: Harness) -> tuple[int, int, int]:
    with bot.db.unit_of_work() as s:
        return tuple(  # type: ignore[return-value]
            s.exec(select(func.count()).select_from(t)).one() for t in (Person, Chat, LedgerItem)
        )


async def raw(bot: Harness, method: str, path: str, **kw: Any) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as http:
        res = await http.request(method, bot.web_url + path, **kw)
        await res.read()
        return res


async def test_ids_no_route_could_parse_are_404_with_the_security_headers(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    page = MiniApp(bot, world["督办赵"])
    tried = 0
    for method, path in ID_ROUTES:
        for bad in ("%C2%B2", "1" + "0" * 22, "%EF%BC%91", "-1"):  # ², 10²², fullwidth 1
            res = await raw(bot, method, path.format(bad), headers=page.headers)
            tried += 1
            assert res.status == 404, (method, path, bad, res.status)
            assert res.headers["Content-Security-Policy"] == CSP
            assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert tried == 48
    unknown = await raw(bot, "GET", "api/nothing-here")
    assert unknown.status == 404 and unknown.headers["X-Content-Type-Options"] == "nosniff"


async def test_deep_json_and_cut_multipart_bodies_are_400_for_anyone(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    li, group = world["李明"], world.group("轮台县")
    world.add_items("轮台县", 1)
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    item = (await page.week())["items"][0]["id"]
    deep = b"[" * 30_000 + b"]" * 30_000  # under 64 KB, deeper than the parser's stack
    nested = ('{"progress":' * 40 + '"x"' + "}" * 40).encode()  # parses; deeper than a form
    for body in (deep, nested):
        res = await raw(
            bot,
            "PUT",
            f"api/week/items/{item}",
            data=body,
            headers={**page.headers, "Content-Type": "application/json"},
        )
        assert res.status == 400
    body = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF'
    res = await raw(
        bot,
        "POST",
        f"api/week/items/{item}/files",
        data=body,
        headers={**page.headers, "Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert res.status == 400


async def test_control_characters_are_cleaned_at_the_page_and_in_the_chat(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    li, group = world["李明"], world.group("轮台县")
    offer = await bot.command(group, li, "/new")
    page = MiniApp(bot, li, start_param(app_url(offer)))
    problem = {
        "name": "违规\x0b强拆\x00问题\u202e",
        "summary": "案情\x1b[31m\r\n第二行",
        "category": "征收补偿环节",
        "measures": "约谈\x7f",
        "due_on": "2024-06-30",
        "lead": "县住建局\x0c张伟",
        "remarks": "",
        "source": "自查发现",
    }
    status, said = await page.call("POST", "api/new", json=problem)
    assert status == 200, said
    with bot.db.unit_of_work() as s:
        item = s.exec(select(LedgerItem)).one()
        assert (item.name, item.summary, item.measures, item.lead) == (
            "违规\n强拆问题\u202e",
            "案情[31m\n第二行",
            "约谈",
            "县住建局\n张伟",
        )
    circular = await bot.command(bot.api.private(bot.admin), bot.admin, "/summary 通报")
    assert circular["document"]["file_name"].endswith(".docx")  # the .docx is written


async def test_initdata_from_the_future_and_strangers_leave_nothing_behind(
    bot: Harness, make_world: MakeWorld
) -> None:
    await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    before = counts(bot)
    for n in range(5):
        stranger = bot.api.user(7700 + n, f"路人{n}")
        page = MiniApp(bot, stranger)
        for path in ("api/open", "api/week", "api/board"):
            status, _ = await page.call("GET", path)
            assert status == 403
    assert counts(bot) == before
    li = bot.api.user(7800, "未来")
    future = MiniApp(bot, li, data=init_data(bot, li, at=bot.clock() + timedelta(days=365)))
    status, said = await future.call("GET", "api/open")
    assert status == 401 and said["error"] == "身份数据校验失败，请从 Telegram 中重新打开本页面。"


async def test_an_upload_is_refused_before_its_body_is_read(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"], liaisons={"轮台县": "李明", "尉犁县": "刘芳"}
    )
    li, group = world["李明"], world.group("轮台县")
    world.add_items("轮台县", 1)
    card = await bot.command(group, li, "/weekly")
    link = start_param(app_url(card))
    item = (await MiniApp(bot, li, link).week())["items"][0]["id"]
    other = MiniApp(bot, world["刘芳"], link)  # another unit's liaison, with this unit's link
    sent = 0

    async def endless() -> Any:  # a body that would never end: 38 MB and counting
        nonlocal sent
        yield b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        for _ in range(600):
            sent += 64 * 1024
            yield b"\0" * (64 * 1024)

    began = time.monotonic()
    res = await raw(
        bot,
        "POST",
        f"api/items/{item}/closeout",
        data=endless(),
        headers={**other.headers, "Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert res.status == 403
    assert time.monotonic() - began < 5
    assert sent < 38 * 1024 * 1024


async def test_slow_headers_and_bodies_are_cut_off(
    bot: Harness, make_world: MakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    monkeypatch.setattr(request_limits, "HEADER_SECONDS", 1.0)
    monkeypatch.setattr(request_limits, "BODY_SECONDS", 1.0)
    await bot.stop_bot()
    await bot.start_bot()  # the server takes its header timeout when it starts
    host, port = bot.settings.web_listen
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET /app/api/open HTTP/1.1\r\nHost: x\r\n")
    await writer.drain()
    began = time.monotonic()
    closed = False
    while time.monotonic() - began < 5:
        try:
            writer.write(b"X-Slow: 1\r\n")  # a header a second, never the blank line
            await writer.drain()
        except (ConnectionError, OSError):
            closed = True
            break
        try:
            got = await asyncio.wait_for(reader.read(100), 0.5)
        except TimeoutError:
            continue
        if got == b"":
            closed = True
            break
    writer.close()
    assert closed and time.monotonic() - began < 4
    li, group = world["李明"], world.group("轮台县")
    world.add_items("轮台县", 1)
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    item = (await page.week())["items"][0]["id"]

    async def trickle() -> Any:
        yield b'{"progress": "'
        await asyncio.sleep(3)
        yield b'x"}'

    res = await raw(
        bot,
        "PUT",
        f"api/week/items/{item}",
        data=trickle(),
        headers={**page.headers, "Content-Type": "application/json"},
    )
    assert res.status == 408


async def test_a_unit_of_thousands_of_problems_is_shown_a_page_at_a_time(
    bot: Harness, make_world: MakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.web import board

    monkeypatch.setattr(board, "UNIT_PAGE", 200)  # 1,000 a page: here 450 problems in 200s
    world = await make_world(units=["轮台县"], supervisors=["督办赵"])
    world.add_items("轮台县", 450)
    with bot.db.unit_of_work() as s:
        unit_id = s.exec(select(LedgerItem.unit_id)).first()
    page = MiniApp(bot, world["督办赵"])
    status, first = await page.call("GET", f"api/board/units/{unit_id}")
    assert status == 200, first
    assert (len(first["items"]), first["page"], first["pages"], first["total"]) == (200, 1, 3, 450)
    status, last = await page.call("GET", f"api/board/units/{unit_id}?page=3")
    assert (len(last["items"]), last["page"]) == (50, 3)
    status, odd = await page.call("GET", f"api/board/units/{unit_id}?page=%C2%B2")
    assert (status, odd["page"]) == (200, 1)


async def test_stored_files_with_odd_types_and_names_download_and_failures_say_nothing_inside(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    li, group = world["李明"], world.group("轮台县")
    assert li.private  # he has written to the bot: his uploads are kept in his chat
    world.add_items("轮台县", 1)
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    week = await page.week()
    item = week["items"][0]["id"]
    await page.answer(item, status="done", result="已整改")
    name = quote("回执\r\nSet-Cookie: x=1.pdf", safe=" :=")  # as some clients encode a name
    body = (
        f'--XX\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf; charset=utf-8\r\n\r\n%PDF\r\n--XX--\r\n"
    ).encode()
    res = await raw(
        bot,
        "POST",
        f"api/week/items/{item}/files",
        data=body,
        headers={**page.headers, "Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert res.status == 200
    status, said = await page.submit()
    assert status == 200, said
    board = MiniApp(bot, world["督办赵"])
    status, shown = await board.call("GET", f"api/board/items/{item}")
    assert status == 200, shown
    (file,) = shown["files"]
    assert file["name"] == "回执 Set-Cookie: x=1.pdf"
    status, body, headers = await board.fetch(file["path"])
    assert (status, body) == (200, b"%PDF")
    assert headers["Content-Type"] == "application/pdf" and "Set-Cookie" not in headers
    with bot.db.unit_of_work() as s:  # a file Telegram no longer has
        row = s.exec(select(ProgressUpdate).where(col(ProgressUpdate.item_id) == item)).all()[-1]
        row.files = [{**row.files[0], "file_id": "gone"}]
        s.add(row)
    status, body, _ = await board.fetch(file["path"])
    assert status == 502
    assert json.loads(body) == {"ok": False, "error": "文件暂时无法从 Telegram 取回，请稍后重试。"}


async def test_the_week_of_a_unit_with_no_open_problem_is_answered(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    li, group = world["李明"], world.group("轮台县")
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)) if "reply_markup" in card else "")
    status, week = await page.call("GET", "api/week")
    assert status == 200, week
    assert week["items"] == [] and week["texted"] == []


async def test_healthz_says_busy_when_no_worker_thread_can_serve(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.serve.webhook as webhook

    monkeypatch.setattr(webhook, "HEALTH_WITHIN", 1.0)
    health = bot.web_url.replace("/app/", "/healthz")
    async with aiohttp.ClientSession() as http, http.get(health) as res:
        assert res.status == 200 and (await res.json())["status"] == "ok"
    loop = asyncio.get_running_loop()
    release = threading.Event()
    stuck = [loop.run_in_executor(None, release.wait, 30) for _ in range(40)]  # the probe's stall
    try:
        async with aiohttp.ClientSession() as http, http.get(health) as res:
            assert res.status == 503
            assert (await res.json())["status"] == "busy"
    finally:
        release.set()
        await asyncio.gather(*stuck)
    async with aiohttp.ClientSession() as http, http.get(health) as res:
        assert res.status == 200


HOSTILE = {  # what a person may type, in every field they fill
    "name": '<b>违规</b>&amp;</script><a href="javascript:alert(1)">强拆</a>\u202e逆序\u200b',
    "summary": "<i>案情</i> </script><script>alert(1)</script> javascript:alert(1) " + "😀" * 500,
    "measures": '=HYPERLINK("http://x","点我")  <tg-spoiler>隐藏</tg-spoiler> \u200d\u2067',
    "lead": "@admin <code>张伟</code> 👨‍👩‍👧",
    "remarks": "-1+1 <u>下划线</u> " + "备" * 1000,
}


async def test_hostile_texts_are_shown_as_typed_in_chat_page_and_workbook(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    li, group = world["李明"], world.group("轮台县")
    offer = await bot.command(group, li, "/new")
    page = MiniApp(bot, li, start_param(app_url(offer)))
    base = {"category": "征收补偿环节", "due_on": "2024-06-30", "source": "自查发现"}
    long = {**base, "name": "甲", "lead": "长" * 10_000}  # 10,000 characters: said, not saved
    status, said = await page.call("POST", "api/new", json=long)
    assert status == 422 and "最多200字" in said["errors"]["lead"], said
    status, said = await page.call("POST", "api/new", json={**long, "lead": "长" * 40_000})
    assert status == 413  # past the body's limit: refused before it is parsed
    status, said = await page.call("POST", "api/new", json={**base, **HOSTILE})
    assert status == 200, said
    with bot.db.unit_of_work() as s:
        item = s.exec(select(LedgerItem)).one()
        stored = {k: getattr(item, k) for k in HOSTILE}
    assert stored == HOSTILE  # stored as typed (no control characters among them)
    # the chat: Telegram's HTML parser sees the text escaped (a tag would be an entity)
    shown = await bot.command(group, li, f"/item {item.code}")
    assert HOSTILE["name"] in shown["text"]
    assert not any(e["type"] in ("bold", "text_link", "spoiler") for e in shown.get("entities", []))
    # the page: the card as the person typed it (the page sets text, never HTML)
    status, card = await page.call("GET", f"api/items/{item.id}")
    assert status == 200 and HOSTILE["name"] in card["card"]
    # the workbook: text cells, the formula text a string and not a formula
    sup = world["督办赵"]
    export = await document(bot, sup, "/export")
    book = load_workbook(io.BytesIO(export["payload"]))
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert HOSTILE["name"] in cells and HOSTILE["measures"] in cells
    formula = next(
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value == HOSTILE["measures"]
    )
    assert formula.data_type == "s"
    circular = await document(bot, sup, "/summary 通报")
    assert Document(io.BytesIO(circular["payload"])).paragraphs  # the .docx is written


async def document(bot: Harness, who: dict[str, Any], command: str) -> dict[str, Any]:
    """The document a command sends in the person's private chat (a notice may come first)."""
    chat = bot.api.private(who)
    message = await bot.command(chat, who, command)
    while "document" not in message:
        message = await bot.api.next_message(chat)
    return message


def test_the_pages_never_write_html_from_data() -> None:
    from importlib.resources import files

    for name in ("app.js", "board.js"):
        script = files("bot.web").joinpath("static", name).read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in script, (name, sink)


async def test_forged_stale_and_other_units_initdata_change_nothing_on_any_route(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"], liaisons={"轮台县": "李明", "尉犁县": "刘芳"}
    )
    li, liu = world["李明"], world["刘芳"]
    world.add_items("轮台县", 1)
    card = await bot.command(world.group("轮台县"), li, "/weekly")
    link = start_param(app_url(card))
    item = (await MiniApp(bot, li, link).week())["items"][0]["id"]
    good = init_data(bot, li, start_param=link)
    callers = {
        "forged hash": good[:-4] + "0000",
        "someone else's user": good.replace(str(li["id"]), str(liu["id"])),
        "stale": init_data(bot, li, at=bot.clock() - timedelta(days=2), start_param=link),
        "another unit's liaison": init_data(bot, liu, start_param=link),
        "none": "",
    }
    routes = [
        ("GET", "api/week", None),
        ("PUT", f"api/week/items/{item}", {"progress": "假"}),
        ("POST", "api/week/submit", {}),
        ("POST", "api/new", {"name": "假"}),
        ("GET", f"api/items/{item}", None),
        ("GET", "api/board", None),
    ]
    before = counts(bot)
    with bot.db.unit_of_work() as s:
        drafts_before = s.exec(select(func.count()).select_from(FormDraft)).one()
    tried = 0
    for who, data in callers.items():
        for method, path, body in routes:
            headers = {"Authorization": f"tma {data}"} if data else {}
            res = await raw(bot, method, path, headers=headers, json=body)
            tried += 1
            assert res.status in (401, 403), (who, method, path, res.status)
    assert tried == 30 and counts(bot) == before
    with bot.db.unit_of_work() as s:
        assert s.exec(select(func.count()).select_from(FormDraft)).one() == drafts_before
