"""Replies to people, kept in the outbox: stored in the turn's unit of work, sent after it.

A turn's replies are rendered and put in the outbox in the same transaction as what the turn
changed, so a process killed after the commit loses none: what it had not sent, another
process sends once its claim runs out (`storage/outbox.py`). Claimed by the turn at once
when nothing of its chat is waiting, they go out as soon as the turn commits, as fast as a
reply sent from memory did. A reply whose chat's budget is spent waits in the database, not
in a process: the process that tried it wakes when the slot frees, and every process's
delivery job sends it meanwhile, before the chat's notices and in its chat's order.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from bot.delivery.sending import OutboxRow, claim_rows, held_chats, send_in_order
from bot.telegram.budget import ChatBudget
from bot.telegram.render import outgoing
from bot.telegram.sender import ChatSender
from bot.telegram.services import BotApp, Services, services_in
from bot.telegram.turn import Turn
from storage import outbox
from storage.models import OutboxMessage

logger = logging.getLogger(__name__)
REPLY_BATCH = 30  # a chat's waiting replies taken at a time


@dataclass
class StoredReplies:
    """A turn's replies as its unit of work kept them."""

    rows: list[OutboxRow] = field(default_factory=list)
    claimed: bool = False  # claimed for this process: to be sent at once

    @property
    def chats(self) -> set[int]:
        """The chats the replies go to."""
        return {r.chat_id for r in self.rows}


def store(turn: Turn, pressed: int | None) -> StoredReplies | None:
    """Render the turn's replies and keep them in the outbox, in its unit of work. None for a
    turn that made a picture or a file (a chart, an export): too big for the outbox, its
    replies are sent from memory, in their order, and can be asked for again."""
    messages, made = outgoing(turn, pressed)
    if made or not messages:
        return None
    rows = [
        OutboxMessage(chat_id=m.chat_id, text=m.text, reply_markup=m.markup, reply=m.particulars())
        for m in messages
    ]
    hold = timedelta(seconds=turn.services.settings.taizhang_claim_timeout)
    claimed = outbox.store_replies(turn.session, rows, turn.stamp.at, hold=hold)
    return StoredReplies([OutboxRow.of(r) for r in rows], claimed)


class Replies:
    """Sends the replies a process's turns stored, each turn's chat in order."""

    def __init__(self, app: BotApp, sender: ChatSender) -> None:
        self.app, self.sender = app, sender
        self._wakes: dict[int, asyncio.TimerHandle] = {}

    @property
    def services(self) -> Services:
        """The application's services."""
        return services_in(self.app.bot_data)

    def send(self, chat_id: int, stored: StoredReplies) -> None:
        """Queue a turn's replies behind the earlier ones of its chat."""
        self.sender.send(chat_id, lambda: self._send(stored))

    async def _send(self, stored: StoredReplies) -> None:
        bot, services = self.app.bot, self.services
        if stored.claimed:
            waits = await send_in_order(bot, services, stored.rows)
            for chat_id, wait in waits.items():
                self.wake(chat_id, wait)
        else:  # behind earlier replies of their chats: those first, then these
            for chat_id in stored.chats:
                await self.drain(chat_id)

    async def drain(self, chat_id: int) -> None:
        """Send the chat's waiting replies, in order, as far as its budget allows."""
        limiter = getattr(self.app.bot, "rate_limiter", None)
        if isinstance(limiter, ChatBudget) and (wait := limiter.wait_for(chat_id)) > 0:
            self.wake(chat_id, wait)
            return
        services = self.services
        rows, _ = await asyncio.to_thread(
            claim_rows,
            services,
            REPLY_BATCH,
            held_chats(self.app.bot),
            chats=[chat_id],
            replies_only=True,
        )
        waits = await send_in_order(self.app.bot, services, rows)
        for waiting, wait in waits.items():
            self.wake(waiting, wait)

    def wake(self, chat_id: int, wait: float) -> None:
        """Try the chat's waiting replies again when its slot frees (the delivery job of any
        process would too, a tick later)."""
        loop = asyncio.get_running_loop()
        at = loop.time() + wait
        known = self._wakes.get(chat_id)
        if known is not None and not known.cancelled() and known.when() <= at:
            return
        if known is not None:
            known.cancel()

        def due() -> None:
            self._wakes.pop(chat_id, None)
            self.sender.send(chat_id, lambda: self.drain(chat_id))

        self._wakes[chat_id] = loop.call_at(at, due)

    def stop(self) -> None:
        """Forget the wake-ups (the bot is stopping; the outbox keeps the replies)."""
        for handle in self._wakes.values():
            handle.cancel()
        self._wakes.clear()
