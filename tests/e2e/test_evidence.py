"""End to end: evidence kept with its SHA-256, size, type, sender and time of receipt; a file
already used for another unit's problem is flagged to the supervisor deciding the close-out,
with that problem's code, who sent it and when."""

from __future__ import annotations

import hashlib
from datetime import UTC
from zoneinfo import ZoneInfo

import aiohttp
from sqlmodel import select

from storage.models import Evidence, LedgerItem
from tests.harness import Group, Harness, MakeWorld, Person
from tests.miniapp import MiniApp, app_url, start_param

MINI_APP = True  # the `bot` fixture serves the Mini App

PHOTO = b"\xff\xd8\xff\xdb not really a jpeg, the same bytes twice"


async def _close_out(bot: Harness, li: Person, group: Group, content: bytes) -> int:
    """The liaison asks for the close-out of their unit's one problem from the Mini App."""
    assert li.private  # the bot may write to them: uploads are kept in their private chat
    card = await bot.command(group, li, "/weekly")
    page = MiniApp(bot, li, start_param(app_url(card)))
    item = int((await page.week())["items"][0]["id"])
    form = aiohttp.FormData()
    form.add_field("result", "已整改到位")
    form.add_field("file", content, filename="site.jpg", content_type="image/jpeg")
    status, said = await page.call("POST", f"api/items/{item}/closeout", data=form)
    assert status == 200, said
    return item


async def test_a_photo_used_again_for_another_units_problem_is_flagged_with_who_and_when(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["尉犁县", "轮台县"],
        liaisons={"尉犁县": "张三", "轮台县": "李明"},
        supervisors=["督办赵"],
    )
    sup = world["督办赵"].private
    await bot.settle(sup, world.group("尉犁县"), world.group("轮台县"))
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
