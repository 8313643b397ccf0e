"""Updates that meet a database that is away: nothing of them is saved, and none is lost.

A turn whose unit of work cannot reach the database has saved nothing (its transaction rolled
back). With a webhook the update is refused with 503, and Telegram posts it again later. With
long polling Telegram has handed it over already (the next getUpdates confirms it), so it is
held here; fetching stops, so that what comes next stays with Telegram (and survives a restart
of the bot); once the database answers, the held updates go through again in the order they
came, and fetching resumes. While the database is known to be away, an update is refused or
held before any handler runs; a pressed button is answered at once all the same, so that the
person's client stops waiting.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.telegram.press_answer import answer_press
from bot.telegram.services import BotApp, Ctx
from storage.db import Database
from storage.outage import unreachable
from workflows.guards import required

logger = logging.getLogger(__name__)

PROBE_EVERY = 1.0  # seconds between asking a database that is away whether it is back


class Gate:
    """Refuses (webhook) or holds (polling) the updates the database cannot take now."""

    def __init__(self, app: BotApp, db: Database) -> None:
        self.app, self.db = app, db
        self.polling = app.updater is not None
        self._refused: set[int] = set()
        self._held: list[Update] = []
        self._resuming: asyncio.Task[None] | None = None

    async def check(self, update: object, context: Ctx) -> None:
        """Before any handler: while the database is away, or earlier updates are held, this
        one waits too (the order of a chat's updates is kept)."""
        if not isinstance(update, Update) or not (self.db.outage.down or self._held):
            return
        self.keep(update)
        if update.callback_query is not None:
            await answer_press(update.callback_query)
        raise ApplicationHandlerStop

    def failed(self, update: object, error: BaseException | None) -> bool:
        """An update's turn raised: True when the database was away, and the update is
        refused or held for later (nothing to tell the person: nothing was lost)."""
        if not isinstance(update, Update) or error is None or not unreachable(error):
            return False
        self.keep(update)
        return True

    def keep(self, update: Update) -> None:
        """Refuse the update (webhook), or hold it and stop fetching (polling)."""
        if not self.polling:
            self._refused.add(update.update_id)
            return
        self._held.append(update)
        if self._resuming is None:
            self._resuming = asyncio.get_running_loop().create_task(
                self._resume(), name="held-updates"
            )

    def refused(self, update: Update) -> bool:
        """Whether the update was refused (the webhook answers 503); forgets it."""
        if update.update_id not in self._refused:
            return False
        self._refused.discard(update.update_id)
        return True

    @property
    def holding(self) -> int:
        """How many updates wait for the database (polling)."""
        return len(self._held)

    async def _resume(self) -> None:
        """Stop fetching, wait for the database, feed the held updates back, fetch again."""
        updater = required(self.app.updater, "the updater (polling)")
        if updater.running:
            await updater.stop()  # confirms what was fetched: those updates are in our queue
        while not await asyncio.to_thread(self._answers):
            await asyncio.sleep(PROBE_EVERY)
        while not self.app.update_queue.empty():  # what was fetched before the stop: held too
            await asyncio.sleep(0.05)
        held, self._held = self._held, []
        self._resuming = None
        logger.debug("database back: %d held update(s) processed again", len(held))
        for update in held:
            await self.app.update_queue.put(update)
        while self.app.running and not updater.running:
            try:
                await updater.start_polling(allowed_updates=Update.ALL_TYPES)
            except TelegramError as err:  # Telegram away now: try again
                logger.warning("could not resume polling: %s", err)
                await asyncio.sleep(PROBE_EVERY)

    def _answers(self) -> bool:
        try:
            with self.db.unit_of_work() as session:
                session.connection().execute(text("select 1"))
        except DBAPIError as err:
            if unreachable(err):
                return False
            raise
        return True
