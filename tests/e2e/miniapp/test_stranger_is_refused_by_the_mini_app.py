"""The Mini App's API refuses, with a one-line reason and nothing changed: missing, forged and
stale initData, a link replayed for another person or unit, the wrong role, an oversized body.
Driven by aiohttp's test client against the Mini App of the running bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.telegram.applinks import payload_of
from bot.web.server import CSP, mini_app
from storage.models import FormDraft, Person, ProgressUpdate
from tests.harness import Harness, MakeWorld, World
from tests.miniapp import app_url, init_data, start_param
from workflows.forms.deeplink import WEEK_PAGE, AppLink

MINI_APP = True  # the `bot` fixture serves the Mini App


@pytest.fixture
async def world(make_world: MakeWorld) -> World:
    world = await make_world(
        units=["轮台县", "尉犁县"],
        liaisons={"轮台县": "李明", "尉犁县": "刘芳"},
        supervisors=["督办赵"],
        people=["路人甲"],
    )
    world.add_items("轮台县", 2)
    return world


@pytest.fixture
async def client(bot: Harness) -> AsyncIterator[TestClient[Any, Any]]:
    app = bot.app
    assert app is not None
    server = TestServer(mini_app(app, app.bot_data["pipeline"], bot.settings))
    async with TestClient(server) as http:
        yield http


async def luntai_link(bot: Harness, world: World) -> str:
    card = await bot.command(world.group("轮台县"), world["李明"], "/weekly")
    bot.api.mark_read(world.group("轮台县"))
    return start_param(app_url(card))


def as_someone_else(data: str, other: dict[str, Any]) -> str:
    """initData with its user changed to someone else, its hash left as it was."""
    fields = dict(parse_qsl(data))
    user = json.loads(fields["user"])
    fields["user"] = json.dumps({**user, "id": other["id"]}, separators=(",", ":"))
    return urlencode(fields)


def tma(data: str) -> dict[str, str]:
    return {"Authorization": f"tma {data}"}


def nothing_written(bot: Harness) -> tuple[int, int]:
    """Drafts and progress rows: a refusal adds none."""
    with bot.database().unit_of_work() as s:
        return len(s.exec(select(FormDraft)).all()), len(s.exec(select(ProgressUpdate)).all())


async def refused(res: Any, status: int) -> str:
    assert res.status == status, await res.text()
    body = await res.json()
    assert body["ok"] is False and "\n" not in body["error"]
    assert res.headers["Content-Security-Policy"] == CSP
    return str(body["error"])


async def test_every_refusal_says_why_and_changes_nothing(
    bot: Harness, world: World, client: TestClient[Any, Any]
) -> None:
    link = await luntai_link(bot, world)  # 李明's week begun in the group: one draft
    before = nothing_written(bot)
    li, liu, nobody = world["李明"], world["刘芳"], world["路人甲"]

    res = await client.get("/app/api/week")
    assert await refused(res, 401) == "未收到 Telegram 的身份数据，请从 Telegram 中打开本页面。"
    forged = as_someone_else(init_data(bot, li, start_param=link), liu)
    res = await client.get("/app/api/week", headers=tma(forged))
    assert await refused(res, 401) == "身份数据校验失败，请从 Telegram 中重新打开本页面。"
    stale = init_data(bot, li, start_param=link, at=bot.clock() - timedelta(days=1, minutes=1))
    res = await client.get("/app/api/week", headers=tma(stale))
    assert await refused(res, 401) == "身份数据已超过一天，请从 Telegram 中重新打开本页面。"
    other_bot = init_data(bot, li, start_param=link).replace("hash=", "hash=ab")
    res = await client.get("/app/api/week", headers=tma(other_bot))
    assert res.status == 401

    # 轮台县's group link replayed by 尉犁县's liaison: the same role rule as the chat
    res = await client.get("/app/api/week", headers=tma(init_data(bot, liu, start_param=link)))
    assert await refused(res, 403) == "仅轮台县的联络员可以报送。"
    # a link bound to 李明 (as in his private chat), used by someone else
    now = bot.clock()
    with bot.database().unit_of_work() as s:
        li_row = s.exec(select(Person).where(Person.user_id == li["id"])).one()
        assert li_row
    mine = AppLink(WEEK_PAGE, 1, 0, now + timedelta(hours=1), user_id=li["id"], chat_id=li["id"])
    payload = payload_of(bot.settings, mine)
    res = await client.get("/app/api/week", headers=tma(init_data(bot, liu, start_param=payload)))
    assert (
        await refused(res, 403)
        == "该链接是为其他联络员生成的。请在本单位工作群点击“私聊填写”获取您自己的链接。"
    )
    # a link whose signature is not ours, and one that has expired
    res = await client.get(
        "/app/api/week", headers=tma(init_data(bot, li, start_param=link[:-2] + "AA"))
    )
    assert await refused(res, 403) == "链接无效，请从群内最新消息重新打开。"
    old = AppLink(WEEK_PAGE, 1, 0, now - timedelta(minutes=1), chat_id=world.group("轮台县")["id"])
    res = await client.get(
        "/app/api/week",
        headers=tma(init_data(bot, li, start_param=payload_of(bot.settings, old))),
    )
    assert await refused(res, 403) == "链接已过期，请从群内最新消息重新打开。"
    # no role at all, opened from the private chat's menu (no link)
    res = await client.get("/app/api/week", headers=tma(init_data(bot, nobody)))
    assert await refused(res, 403) == "您不是任何单位的联络员，无法填写台账。"
    # the right person, a body over the limit
    item = (
        await (
            await client.get("/app/api/week", headers=tma(init_data(bot, li, start_param=link)))
        ).json()
    )["items"][0]["id"]
    res = await client.put(
        f"/app/api/week/items/{item}",
        headers=tma(init_data(bot, li, start_param=link)),
        json={"progress": "很" * 70_000},
    )
    assert await refused(res, 413) == "提交的内容过大，未保存。"
    assert nothing_written(bot) == before


async def test_a_second_liaison_is_told_who_is_updating(
    bot: Harness, make_world: MakeWorld, client: TestClient[Any, Any]
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": ["李明", "王芳"]})
    world.add_items("轮台县", 1)
    link = await luntai_link(bot, world)
    res = await client.get(
        "/app/api/week", headers=tma(init_data(bot, world["王芳"], start_param=link))
    )
    assert res.status == 409
    assert (await res.json())["error"].startswith("李明正在更新轮台县")


async def test_a_body_is_read_whole_within_its_limit_and_refused_past_it(
    bot: Harness, world: World, client: TestClient[Any, Any]
) -> None:
    link = await luntai_link(bot, world)
    auth = tma(init_data(bot, world["李明"], start_param=link))
    item = (await (await client.get("/app/api/week", headers=auth)).json())["items"][0]["id"]
    # 12 KB of text (more than one chunk): read whole, then refused by the step's own limit
    res = await client.put(
        f"/app/api/week/items/{item}",
        headers=auth,
        json={"status": "plan", "progress": "进" * 4000},
    )
    body = await res.json()
    assert res.status == 200 and body["answer"]["status"] == "plan"
    assert body["errors"] == {"progress": "内容过长（4000字），最多2000字，请精简后重新回复。"}

    async def chunked() -> Any:  # no Content-Length: the limit is counted as it comes
        yield b'{"progress": "'
        for _ in range(10):
            yield b"x" * 8192
        yield b'"}'

    res = await client.put(f"/app/api/week/items/{item}", headers=auth, data=chunked())
    assert await refused(res, 413) == "提交的内容过大，未保存。"
