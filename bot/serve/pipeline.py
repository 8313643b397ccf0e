"""One way through the house: every turn — a command, a reply, a press, a file, a follow-up
task, a Mini App call — runs here.

1. Its unit of work runs in a worker thread: the chat and the speaker are recorded, the body
   (a dispatcher's or a task's) runs, the flows it asked for begin, its replies are rendered
   and kept in the outbox (`bot/delivery/replies.py`), and the transaction commits. Other
   chats' updates go on meanwhile. An update Telegram posts again after its turn was saved
   is not applied twice (`storage/handled_updates.py`), and its replies are in the outbox already.
2. A pressed button is answered at once, before any message waits for a chat's budget:
   Telegram's client spins until then, and refuses an answer that comes too late.
3. The replies are sent at once by the chat's sender (`bot/telegram/sender.py`), each chat's
   in order; one whose chat has no budget waits in the database, and the chat's next update
   does not wait for it.
4. The work the turn asked to follow (reading a workbook, saving an import) starts as tasks
   of its own, each a unit of work at a time through this same pipeline.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TypeVar

from telegram import CallbackQuery, Message
from telegram.error import TelegramError

from bot.delivery.replies import Replies, StoredReplies, store
from bot.serve import dispatch
from bot.telegram.feature import Registry
from bot.telegram.open_turn import open_turn
from bot.telegram.press_answer import answer_press
from bot.telegram.render import deliver
from bot.telegram.sender import ChatSender
from bot.telegram.services import BotApp, Services, services_in
from bot.telegram.source import Source
from bot.telegram.turn import Turn
from storage import handled_updates
from workflows.messages import msg

logger = logging.getLogger(__name__)
T = TypeVar("T")
MINE = 10_000  # update ids a process remembers running (Telegram posts one again within a day)


class Pipeline:
    """Runs turns for one application: its services, its features, its bot."""

    def __init__(self, app: BotApp, registry: Registry, *, durable: bool = True) -> None:
        self.app = app
        self.registry = registry
        self.sender = ChatSender()
        self.replies = Replies(app, self.sender)
        # False: replies sent from memory after the commit, as before the outbox kept them
        # (bench/replies_bench.py measures both)
        self.durable = durable
        self._mine: deque[int] = deque(maxlen=MINE)  # updates this process ran, newest last

    @property
    def services(self) -> Services:
        """The application's services."""
        return services_in(self.app.bot_data)

    def _unit_of_work(
        self, source: Source, body: Callable[[Turn], T], keep: int | None
    ) -> tuple[Turn | None, T | None, StoredReplies | None]:
        """The turn; with `keep` (the pressed message, or 0), its replies stored."""
        with self.services.db.unit_of_work() as session:
            turn = open_turn(session, self.services, source)
            if turn is None:
                return None, None, None
            if source.update_id is not None:
                if not handled_updates.first_time(session, source.update_id, turn.stamp.at):
                    self._again(turn, source.update_id)
                    return turn, None, None
                self._mine.append(source.update_id)
            result = body(turn)
            dispatch.settle_requests(turn, self.registry)
            stored = store(turn, keep or None) if keep is not None and turn.replies else None
        return turn, result, stored

    def _again(self, turn: Turn, update_id: int) -> None:
        """An update Telegram posted again after its turn was saved: not applied twice, and
        nothing said twice (its replies were kept with it, and are sent from the outbox). A
        press is answered, its first answer may have died with another process."""
        if update_id not in self._mine:
            turn.notice = turn.text(msg("turn.saved_before"))

    async def run(
        self,
        source: Source,
        body: Callable[[Turn], T],
        *,
        query: CallbackQuery | None = None,
        send: bool = True,
    ) -> tuple[Turn | None, T | None]:
        """One turn: the unit of work off the event loop, the press answered, the replies
        sent (unless `send` is off: a Mini App call shows them itself), the tasks started."""
        message = query.message if query is not None else None
        pressed = message if isinstance(message, Message) else None
        keep = None
        if send and self.durable:  # stored, and the message pressed (0: none) may be edited
            keep = pressed.message_id if pressed is not None else 0
        try:
            turn, result, stored = await asyncio.to_thread(self._unit_of_work, source, body, keep)
        except Exception:
            if query is not None:  # the client stops spinning; the error handler says the rest
                await _answer(query, None)
            raise
        if query is not None:
            await _answer(query, turn)
        if turn is None:
            return None, result
        if stored is not None:
            self.replies.send(turn.chat.chat_id, stored)
        elif send and turn.replies:  # sent from memory (a turn that made a chart or a file)
            bot, said = self.app.bot, turn
            at = pressed.message_id if pressed is not None else None
            self.sender.send(turn.chat.chat_id, lambda: deliver(bot, said, at))
        for task in turn.tasks:
            self.app.create_task(task.run(FollowUp(self, source)), name=type(task).__name__)
        return turn, result


async def _answer(query: CallbackQuery, turn: Turn | None) -> None:
    """Answer a press: its toast, or the link it opens; a failed answer loses nothing else."""
    text = turn.notice if turn is not None else None
    url = turn.notice_url if turn is not None else None
    alert = turn is not None and turn.alert and bool(text)
    await answer_press(query, text or None, alert=alert, url=url)


def pipeline_in(bot_data: Mapping[object, object]) -> Pipeline:
    """The turn pipeline `build_application` stored in an application's bot_data."""
    found = bot_data["pipeline"]
    if not isinstance(found, Pipeline):
        raise TypeError("the application holds no taizhang pipeline")
    return found


class FollowUp:
    """What a follow-up task may do (`bot.telegram.turn.Steps`), for the person and chat of
    the turn that asked for it."""

    def __init__(self, pipeline: Pipeline, source: Source) -> None:
        self.pipeline = pipeline
        self.source = replace(source, update_id=None)  # its turns are not the update's first

    async def turn(self, body: Callable[[Turn], T]) -> T | None:
        """One more unit of work (in a worker thread), its replies sent after the commit."""
        _, result = await self.pipeline.run(self.source, body)
        return result

    async def download(self, file_id: str, name: str) -> bytes | None:
        """A file's content from Telegram, or None with the failure said."""
        try:
            file = await self.pipeline.app.bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        except TelegramError as err:
            logger.warning("could not download %s: %s", name, err)
            await self.turn(lambda t: t.say(msg("workbook.download_failed", name=name)))
            return None
