"""An edit sent again (its process killed before it noted the first) makes no second card."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.ext import ExtBot

from bot.sandbox.api import LocalBotApi
from bot.telegram.render import Outgoing, send_outgoing

KEYBOARD = {"inline_keyboard": [[{"text": "确认提交", "callback_data": "c:1"}]]}


@pytest.fixture
async def api() -> AsyncIterator[tuple[LocalBotApi, ExtBot[None]]]:
    server = LocalBotApi()
    bot: ExtBot[None] = ExtBot(server.token, base_url=await server.start())
    await bot.initialize()
    yield server, bot
    await bot.shutdown()
    await server.stop()


async def test_an_edit_telegram_finds_made_already_sends_nothing_new(
    api: tuple[LocalBotApi, ExtBot[None]],
) -> None:
    server, bot = api
    chat = server.private(server.user(1, "李明"))
    card = await bot.send_message(chat["id"], "请核对：进展 已完成")
    edit = Outgoing(chat["id"], "✅ 已提交", KEYBOARD, edit=card.message_id)
    first = await send_outgoing(bot, edit)
    assert first is not None and first.message_id == card.message_id
    assert await send_outgoing(bot, edit) is None  # "message is not modified": it shows this
    shown = server.bot_messages(chat)
    assert [m["text"] for m in shown] == ["✅ 已提交"]


async def test_an_edit_of_a_message_gone_is_sent_anew(
    api: tuple[LocalBotApi, ExtBot[None]],
) -> None:
    server, bot = api
    chat = server.private(server.user(1, "李明"))
    sent = await send_outgoing(bot, Outgoing(chat["id"], "✅ 已提交", edit=999))
    assert sent is not None and sent.message_id != 999
    assert [m["text"] for m in server.bot_messages(chat)] == ["✅ 已提交"]
