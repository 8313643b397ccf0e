"""Updates of one chat in order, of different chats side by side."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.telegram.processor import ChatOrderedProcessor, chat_key

USER = User(1, "李明", False)


def update_in(chat_id: int, n: int) -> Update:
    chat = Chat(chat_id, "supergroup" if chat_id < 0 else "private")
    return Update(n, message=Message(n, None, chat, from_user=USER, text=str(n)))  # type: ignore[arg-type]


async def test_one_chat_in_order_and_other_chats_meanwhile() -> None:
    processor = ChatOrderedProcessor()
    log: list[tuple[str, int, int]] = []
    release_first = asyncio.Event()

    async def work(chat: int, n: int, wait: asyncio.Event | None = None) -> None:
        log.append(("start", chat, n))
        if wait is not None:
            await wait.wait()
        await asyncio.sleep(0)
        log.append(("end", chat, n))

    busy, quiet = -100, -200
    jobs = [(busy, 1, release_first), (busy, 2, None), (busy, 3, None), (quiet, 4, None)]
    tasks = [
        asyncio.create_task(processor.process_update(update_in(chat, n), work(chat, n, wait)))
        for chat, n, wait in jobs
    ]
    for _ in range(10):
        await asyncio.sleep(0)
    # the quiet chat was served while the busy one's first update still waits
    assert ("end", quiet, 4) in log
    assert ("start", busy, 2) not in log
    release_first.set()
    await asyncio.gather(*tasks)
    busy_log = [(what, n) for what, chat, n in log if chat == busy]
    assert busy_log == [(w, n) for n in (1, 2, 3) for w in ("start", "end")]
    assert processor.pending_chats() == 0


async def test_a_failing_update_does_not_stop_its_chat() -> None:
    processor = ChatOrderedProcessor()
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("handler failed")

    async def fine() -> None:
        done.append(2)

    first = asyncio.create_task(processor.process_update(update_in(-1, 1), boom()))
    second = asyncio.create_task(processor.process_update(update_in(-1, 2), fine()))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and done == [2]


def test_updates_without_a_chat_are_not_ordered() -> None:
    assert chat_key(object()) is None
    assert chat_key(update_in(-5, 1)) == -5
