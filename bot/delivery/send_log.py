"""What each chat was sent, written down (with the prompts sent) and read back after a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError
from telegram.ext import ExtBot

from bot.telegram.budget import ChatBudget, LimitArgs
from bot.telegram.services import BotApp, Services, services_in
from storage import drafts, sendlog
from storage.drafts import SentPrompt
from storage.outage import unreachable


async def record_sends(bot: ExtBot[LimitArgs], services: Services) -> None:
    """Write down, in one unit of work, what each chat was sent (the send log: a restart
    keeps each chat's budget) and which prompts were sent for which drafts."""
    # typed by PTB's default context as no limiter at all; the bot is built with a ChatBudget
    limiter: object = bot.rate_limiter
    sent = limiter.drain_log() if isinstance(limiter, ChatBudget) else []
    prompts = services.prompts.drain()
    if not (sent or prompts):
        return
    try:
        await asyncio.to_thread(_record, services, sent, prompts)
    except DBAPIError as err:
        if unreachable(err):  # kept for a later tick: the database is away, not wrong
            if isinstance(limiter, ChatBudget):
                limiter.log[:0] = sent
            for prompt in prompts:
                services.prompts.note(prompt)
        raise


def _record(services: Services, sent: list[tuple[int, float]], prompts: list[SentPrompt]) -> None:
    with services.db.unit_of_work() as session:
        sendlog.log_sends(session, sent)
        drafts.remember_prompts(session, prompts)


async def restore_budget(app: BotApp) -> None:
    """Count what each chat was sent in its window before a restart (the send log)."""
    limiter = app.bot.rate_limiter
    if not isinstance(limiter, ChatBudget):
        return
    services = services_in(app.bot_data)
    span = max(limiter.limits.group[1], limiter.limits.private[1])

    def read() -> list[tuple[int, float]]:
        with services.db.unit_of_work() as session:
            return sendlog.recent(session, datetime.now(UTC), timedelta(seconds=span))

    limiter.seed(await asyncio.to_thread(read))
