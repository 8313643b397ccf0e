"""Updates of different chats run side by side; the updates of one chat, strictly in order.

python-telegram-bot ships a processor that runs every update at once (no order at all) and
one that runs them one at a time (one busy group holds up every other chat); its issue #3509
asks for this middle way. Each chat keeps a chain: an update starts when the previous update
of its chat has finished, whatever the other chats are doing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> int | None:
    """The chat whose order an update belongs to (a press without its message: the user's)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within each chat."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._last: dict[int, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        """Wait for the chat's previous update, then process this one."""
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        previous = self._last.get(key)
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[key] = finished
        try:
            if previous is not None:
                # shielded: a cancelled wait must not cancel the previous update itself
                await asyncio.shield(previous)
            await coroutine
        finally:
            finished.set_result(None)
            if self._last.get(key) is finished:
                del self._last[key]

    def pending_chats(self) -> int:
        """How many chats have an update in progress (for the health endpoint and tests)."""
        return len(self._last)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down: the application waits for the updates in progress."""
