"""Each chat's replies in order by a worker of its own; a chat's slow reply holds no other."""

from __future__ import annotations

import asyncio

from bot.telegram.sender import ChatSender


async def test_each_chats_replies_go_in_order_and_a_slow_chat_holds_no_other() -> None:
    sender = ChatSender()
    sent: list[str] = []
    slow = asyncio.Event()

    def job(name: str, wait: asyncio.Event | None = None):
        async def deliver() -> None:
            if wait is not None:
                await wait.wait()
            sent.append(name)

        return deliver

    sender.send(-1, job("group: 1st", slow))  # waiting for the group's budget
    sender.send(-1, job("group: 2nd"))
    sender.send(42, job("private"))
    await sender.settled(42)
    assert sent == ["private"] and not sender.idle()
    slow.set()
    await sender.settled(-1)
    assert sent == ["private", "group: 1st", "group: 2nd"] and sender.idle()


async def test_a_failed_delivery_does_not_stop_the_chats_next_one() -> None:
    sender = ChatSender()
    sent: list[str] = []

    async def broken() -> None:
        raise RuntimeError("the chat refused it")

    async def fine() -> None:
        sent.append("next")

    sender.send(-1, broken)
    sender.send(-1, fine)
    await sender.settled(-1)
    assert sent == ["next"]


async def test_stopping_waits_for_what_is_queued_then_drops_what_cannot_go() -> None:
    sender = ChatSender()
    sent: list[str] = []
    never = asyncio.Event()

    async def quick() -> None:
        sent.append("quick")

    async def stuck() -> None:
        await never.wait()

    sender.send(42, quick)
    assert await sender.drain(1.0) == 0 and sent == ["quick"]
    sender.send(-1, stuck)
    sender.send(-1, quick)
    assert await sender.drain(0.05) == 2  # the stuck one and the one behind it
    assert sender.idle() and sent == ["quick"]
