"""End to end: a page's write happens once whatever the taps. The page makes an id per action
(`X-Action-Id`); the same id again, even while the first is still being saved, is answered
with the first answer and changes nothing."""

from __future__ import annotations

import asyncio

import aiohttp
from sqlmodel import select

from storage.models import AuditEvent, LedgerItem
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp, app_url, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App

PROBLEM = {
    "name": "团结路棚改项目未按期回迁",
    "summary": "回迁安置房建设滞后",
    "category": "征收补偿环节",
    "measures": "督促施工单位加快进度",
    "due_on": "2024-06-30",
    "lead": "县住建局 张伟",
    "remarks": "",
    "source": "自查发现",
}


async def test_a_new_problem_tapped_twice_is_added_once_and_both_taps_hear_its_code(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    offer = await bot.command(group, li, "/new")
    page = MiniApp(bot, li, start_param(app_url(offer)))
    tap = page.call("POST", "api/new", action="new-7f3a9c01", json=PROBLEM)
    (s1, first), (s2, second) = await asyncio.gather(tap, tap_again(page, "new-7f3a9c01"))
    assert (s1, s2) == (200, 200), (first, second)
    assert first["said"] == second["said"] == ["已新增问题 轮台-001。"]
    status, later = await page.call("POST", "api/new", action="new-7f3a9c01", json=PROBLEM)
    assert (status, later["said"]) == (200, ["已新增问题 轮台-001。"])  # a retry much later
    with bot.db.unit_of_work() as s:
        assert [i.code for i in s.exec(select(LedgerItem)).all()] == ["轮台-001"]
    status, other = await page.call("POST", "api/new", action="new-0b12cd34", json=PROBLEM)
    assert (status, other["said"]) == (200, ["已新增问题 轮台-002。"])  # a new action is new


async def tap_again(page: MiniApp, action: str) -> tuple[int, dict[str, object]]:
    return await page.call("POST", "api/new", action=action, json=PROBLEM)


async def test_a_close_out_sent_twice_asks_once_and_the_second_hears_the_first_answer(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    group, li = world.group("轮台县"), world["李明"]
    sup = world["督办赵"].private
    await bot.settle(sup, group)
    (code,) = world.add_items("轮台县", 1)
    assert li.private  # the files are kept in the liaison's private chat
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    item = (await page.week())["items"][0]["id"]

    def form() -> aiohttp.FormData:
        data = aiohttp.FormData()
        data.add_field("result", "过渡安置费已全部补发到户")
        receipt = b"%PDF-1.4 receipt"
        data.add_field("file", receipt, filename="r.pdf", content_type="application/pdf")
        return data

    path = f"api/items/{item}/closeout"
    (s1, first), (s2, second) = await asyncio.gather(
        page.call("POST", path, action="close-5e6f7a8b", data=form()),
        page.call("POST", path, action="close-5e6f7a8b", data=form()),
    )
    assert (s1, s2, first["done"], second["done"]) == (200, 200, True, True), (first, second)
    files = len(bot.api.bot_messages(li.private))
    status, again = await page.call("POST", path, action="close-5e6f7a8b", data=form())
    assert (status, again["done"]) == (200, True)  # not "a close-out is already asked"
    assert len(bot.api.bot_messages(li.private)) == files  # its file not sent to Telegram again
    with bot.db.unit_of_work() as s:
        asks = s.exec(select(AuditEvent).where(AuditEvent.action == "item.closeout_asked")).all()
        assert len(asks) == 1
    await bot.drained()
    request = await bot.api.next_message(sup)
    assert code in request["text"]
    assert bot.api.unread(sup) == []


async def test_an_action_id_the_page_does_not_make_is_refused_and_nothing_is_added(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    offer = await bot.command(group, li, "/new")
    page = MiniApp(bot, li, start_param(app_url(offer)))
    for forged in ("x", "a" * 65, "new 1234567", "新问题新问题新问题新问题"):
        status, said = await page.call("POST", "api/new", action=forged, json=PROBLEM)
        assert (status, said["ok"]) == (400, False), forged
    with bot.db.unit_of_work() as s:
        assert s.exec(select(LedgerItem)).all() == []
