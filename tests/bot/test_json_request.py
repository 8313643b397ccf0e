"""Calls without files go to the Bot API as one JSON body; files stay multipart."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter

from bot.sandbox.api import LocalBotApi
from bot.telegram.json_request import JsonRequest
from tests.harness import Harness

JSON, MULTIPART = "application/json", "multipart/form-data"


@pytest.fixture
async def api() -> AsyncIterator[tuple[LocalBotApi, Bot]]:
    server = LocalBotApi()
    base = await server.start()
    bot = Bot(server.token, base_url=base, request=JsonRequest())
    await bot.initialize()
    yield server, bot
    await bot.shutdown()
    await server.stop()


async def test_a_reply_with_markup_and_buttons_arrives_whole_as_json(
    api: tuple[LocalBotApi, Bot],
) -> None:
    server, bot = api
    chat = server.private(server.user(1, "李明"))
    text = "请填写<b>第1项</b>「安置房产权证办理」的进展：\n“已完成” &amp; 100%"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("已完成", callback_data="s:1:done")]])
    sent = await bot.send_message(
        chat["id"], text, parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    got = server.bot_messages(chat)[-1]
    assert got["text"] == "请填写第1项「安置房产权证办理」的进展：\n“已完成” & 100%"
    assert got["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "s:1:done"
    assert sent.message_id == got["message_id"]
    assert server.bodies["sendMessage", JSON] == 1
    assert {kind for _, kind in server.bodies} == {JSON}  # getMe too: nothing as a form


async def test_a_file_goes_as_multipart(api: tuple[LocalBotApi, Bot]) -> None:
    server, bot = api
    chat = server.private(server.user(1, "李明"))
    await bot.send_document(chat["id"], io.BytesIO(b"PK"), filename="台账.xlsx", caption="台账")
    assert server.bodies["sendDocument", MULTIPART] == 1


async def test_telegrams_refusals_read_the_same_through_json(
    api: tuple[LocalBotApi, Bot],
) -> None:
    server, bot = api
    chat = server.private(server.user(1, "李明"))
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(chat["id"], "<b>未闭合", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(chat["id"], "长" * 4097)
    server.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(chat["id"], "好")
    assert err.value.retry_after.total_seconds() == 3


async def test_the_bot_itself_posts_its_replies_as_json(bot: Harness) -> None:
    chat = bot.api.private(bot.admin)
    answer = await bot.command(chat, bot.admin, "/help")
    assert "/summary" in answer["text"]
    assert bot.api.bodies["sendMessage", JSON] >= 1
    assert all(kind == JSON for (method, kind) in bot.api.bodies if method == "sendMessage")
