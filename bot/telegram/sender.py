"""Each chat's replies sent in order by a worker of its own.

A turn hands its replies over and returns: the chat's next update (a button pressed) is not
held behind a reply that waits for the chat's budget, so its press is answered at once. The
replies of one chat still go out in the order their turns committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class ChatSender:
    """Per chat, a queue of deliveries and one worker draining it."""

    def __init__(self) -> None:
        self._queues: dict[int, deque[Job]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._quiet = asyncio.Event()
        self._quiet.set()

    def send(self, chat_id: int, job: Job) -> None:
        """Queue a delivery for a chat, after the ones queued before it."""
        self._queues.setdefault(chat_id, deque()).append(job)
        self._quiet.clear()
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.get_running_loop().create_task(
                self._drain(chat_id), name=f"replies-{chat_id}"
            )

    async def _drain(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except Exception:  # one failed delivery must not stop the chat's others
                    logger.exception("could not deliver to chat %s", chat_id)
        finally:  # done, or cancelled at shutdown (what was still queued is dropped)
            del self._workers[chat_id]
            del self._queues[chat_id]
            if not self._workers:
                self._quiet.set()

    async def settled(self, chat_id: int) -> None:
        """Wait until the chat's queued replies are sent (those queued meanwhile too)."""
        worker = self._workers.get(chat_id)
        if worker is not None:
            await asyncio.shield(worker)

    def idle(self) -> bool:
        """Whether no reply waits to be sent."""
        return not self._workers

    async def drain(self, timeout: float) -> int:
        """Wait until every queued reply is sent, at most `timeout` seconds; then drop what
        is left (the bot is stopping). Returns how many deliveries were dropped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), timeout)
        dropped = sum(len(q) for q in self._queues.values()) + len(self._workers)
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        return dropped
