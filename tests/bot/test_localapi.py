"""The local Bot API answers like Telegram, seen through python-telegram-bot's own Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.sandbox.api import LocalBotApi


@pytest.fixture
async def api() -> AsyncIterator[tuple[LocalBotApi, Bot]]:
    server = LocalBotApi()
    base = await server.start()
    bot = Bot(server.token, base_url=base)
    await bot.initialize()
    yield server, bot
    await bot.shutdown()
    await server.stop()


async def test_privacy_mode_in_groups(api: tuple[LocalBotApi, Bot]) -> None:
    server, bot = api
    group = server.group("轮台县联络群")
    li = server.user(1, "李")
    assert (await server.send(group, li, "大家好"))["delivered"] is False
    assert (await server.send(group, li, "/help"))["delivered"] is True
    assert (await server.send(group, li, "/help@taizhang_bot"))["delivered"] is True
    assert (await server.send(group, li, "/help@other_bot"))["delivered"] is False
    prompt = await bot.send_message(group["id"], "请输入姓名")
    reply = await server.send(
        group, li, "李明", reply_to=server.messages[group["id"]][prompt.message_id]
    )
    assert reply["delivered"] is True
    private = server.private(li)
    assert (await server.send(private, li, "随便说说"))["delivered"] is True
    updates = await bot.get_updates()
    assert [u.effective_message.text for u in updates] == [
        "/help",
        "/help@taizhang_bot",
        "李明",
        "随便说说",
    ]


async def test_the_4096_character_limit_counts_what_the_reader_sees(
    api: tuple[LocalBotApi, Bot],
) -> None:
    server, bot = api
    group = server.group("群")
    await bot.send_message(group["id"], "<b>" + "字" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(group["id"], "字" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(group["id"], "😀" * 2049)  # two UTF-16 units each


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a < b", "Unexpected character"),
        ("R&D", "reserved"),
        ("<div>x</div>", "Unsupported start tag"),
        ("<b>x", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
    ],
)
async def test_html_entity_errors(api: tuple[LocalBotApi, Bot], text: str, problem: str) -> None:
    server, bot = api
    group = server.group("群")
    with pytest.raises(BadRequest, match=rf"(?i){problem}"):
        await bot.send_message(group["id"], text, parse_mode=ParseMode.HTML)
    sent = await bot.send_message(group["id"], "a &lt; b &amp; <b>c</b>", parse_mode=ParseMode.HTML)
    assert sent.text == "a < b & c"


async def test_429_carries_retry_after(api: tuple[LocalBotApi, Bot]) -> None:
    server, bot = api
    group = server.group("群")
    server.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(group["id"], "提醒")
    assert err.value.retry_after in (7, timedelta(seconds=7))  # int in PTB 22, timedelta later
    assert (await bot.send_message(group["id"], "提醒")).text == "提醒"


async def test_group_flood_limit(api: tuple[LocalBotApi, Bot]) -> None:
    server, bot = api
    group = server.group("群")
    server.group_limit = (20, 60.0)
    for i in range(20):
        await bot.send_message(group["id"], f"第{i}条")
    with pytest.raises(RetryAfter):
        await bot.send_message(group["id"], "第21条")


async def test_a_group_that_removed_the_bot_answers_403(api: tuple[LocalBotApi, Bot]) -> None:
    server, bot = api
    group = server.group("群")
    server.kicked.add(group["id"])
    with pytest.raises(Forbidden, match=r"(?i)kicked"):
        await bot.send_message(group["id"], "提醒")


async def test_button_data_over_64_bytes_is_refused(api: tuple[LocalBotApi, Bot]) -> None:
    server, bot = api
    group = server.group("群")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="长" * 22)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(group["id"], "请确认", reply_markup=markup)


async def test_replying_to_a_missing_message_is_refused(api: tuple[LocalBotApi, Bot]) -> None:
    server, bot = api
    group = server.group("群")
    with pytest.raises(BadRequest, match=r"(?i)replied not found"):
        await bot.send_message(group["id"], "x", reply_to_message_id=999)


async def test_unknown_chat(api: tuple[LocalBotApi, Bot]) -> None:
    _, bot = api
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-1009999, "x")


async def test_a_failure_rate_fails_calls_without_sending(api: tuple[LocalBotApi, Bot]) -> None:
    from telegram.error import NetworkError

    server, bot = api
    group = server.group("且末县联络群")
    server.failure_rate = 1.0
    for _ in range(12):
        with pytest.raises((RetryAfter, NetworkError)):  # 429; a 500 or a dropped line
            await bot.send_message(group["id"], "提醒")
    assert server.sent == [] and sum(server.random_failures.values()) == 12
    server.failure_rate = 0.0
    await bot.send_message(group["id"], "提醒")
    assert len(server.sent) == 1


async def test_a_press_answered_too_late_twice_or_never_pressed_is_refused(
    api: tuple[LocalBotApi, Bot],
) -> None:
    server, bot = api
    group = server.group("群")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("同意", callback_data="a:co_ok:1")]])
    sent = await bot.send_message(group["id"], "销号申请", reply_markup=markup)
    card = server.messages[group["id"]][sent.message_id]
    on_time = await server.press(card, server.user(2, "督办"), "同意")
    assert await bot.answer_callback_query(on_time, "已同意") is True
    assert 0 <= server.answer_delays[-1] < 1.0
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # the same press answered twice
        await bot.answer_callback_query(on_time, "again")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # a press nobody made
        await bot.answer_callback_query("424242")
    server.answer_within = 0.0  # Telegram's clients stopped waiting long ago
    late = await server.press(card, server.user(2, "督办"), "同意")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(late, "已同意")
    assert server.late_answers == 3
    assert [a["callback_query_id"] for a in server.callback_answers] == [on_time]
