"""Outbox messages claimed and sent, chats side by side within their budgets; answers recorded."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from telegram import InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.delivery.notice_rendering import render
from bot.delivery.send_log import record_sends
from bot.delivery.time_left_markers import said_now
from bot.telegram.budget import ChatBudget, LimitArgs, Limits, NoBudget
from bot.telegram.render import Outgoing, send_outgoing
from bot.telegram.services import Ctx, Services, services_in
from storage import campaigns, chats, drafts, outbox, planning, reminders_owed, sightings
from storage.models import OutboxMessage, saved_id
from storage.outage import unreachable
from workflows import keys
from workflows.json_types import JSONObject, json_str
from workflows.messages import msg
from workflows.planner import Planned

logger = logging.getLogger(__name__)
# What Telegram answered is written on a pool of its own, never behind the turns queued on the
# default executor: a message Telegram took but not yet noted as sent is sent again if its
# process dies, and with seventy turns queued that wait was seconds, not milliseconds.
_settling = ThreadPoolExecutor(max_workers=2, thread_name_prefix="settle")
MAX_ATTEMPTS = 20
IN_FLOW = timedelta(minutes=10)  # a draft answered this recently: someone is in a flow
WRITE_AGAIN = 1.0  # seconds between attempts to record a send while the database is away


@dataclass
class _Result:
    outbox_id: int
    chat_id: int
    sent_id: int | None = None
    retry_in: float | None = None
    failure: str | None = None
    forbidden: bool = False
    no_budget: float | None = None  # seconds until the chat has a slot to spare
    flood: bool = False  # Telegram answered 429 (the limiter holds the chat meanwhile)


@dataclass(frozen=True)
class OutboxRow:
    """An outbox message claimed for sending."""

    outbox_id: int
    chat_id: int
    text: str
    markup: JSONObject | None
    attempts: int
    kind: str = outbox.NOTICE
    reply: JSONObject | None = None  # a reply's particulars (`render.Outgoing`)

    @classmethod
    def of(cls, row: OutboxMessage, text: str | None = None) -> OutboxRow:
        """The claimed row as it is sent (`text`: its text said as of now)."""
        return cls(
            saved_id(row),
            row.chat_id,
            row.text if text is None else text,
            row.reply_markup,
            row.attempts,
            row.kind,
            row.reply,
        )


# a person's reply: first in its chat, waiting in the outbox
REPLY_LIMIT: LimitArgs = {"reply": True}


async def _send(bot: ExtBot[LimitArgs], services: Services, row: OutboxRow, keep: int) -> _Result:
    result = _Result(row.outbox_id, row.chat_id)
    try:
        if row.kind == outbox.REPLY:
            message = Outgoing.kept(row.chat_id, row.text, row.markup, row.reply or {})
            sent = await send_outgoing(bot, message, REPLY_LIMIT)
            # an edit that answered True left the pressed message as it was: that is its id
            result.sent_id = sent.message_id if sent is not None else (message.edit or 0)
            prompt = message.sent_prompt(result.sent_id) if result.sent_id else None
            if prompt is not None:
                services.prompts.note(prompt)
            return result
        keyboard = InlineKeyboardMarkup.de_json(row.markup, bot) if row.markup else None
        limit: LimitArgs = {"notify": True, "keep": keep}
        document = (row.reply or {}).get("document")
        if isinstance(document, dict) and document:  # a scheduled 调度, its text the caption
            data, name = json_str(document["data"]), json_str(document["name"])
            notice = await bot.send_document(
                row.chat_id,
                InputFile(base64.b64decode(data), filename=name),
                caption=row.text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                rate_limit_args=limit,
            )
        else:
            notice = await bot.send_message(
                row.chat_id,
                row.text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                rate_limit_args=limit,
            )
        result.sent_id = notice.message_id
    except NoBudget as err:
        result.no_budget = err.wait
    except RetryAfter as err:
        wait = err.retry_after
        result.retry_in = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        result.failure, result.flood = str(err), True
    except Forbidden as err:
        result.failure, result.forbidden = str(err), True
    except BadRequest as err:
        result.failure = str(err)
        result.forbidden = "chat not found" in str(err).lower()
    except (NetworkError, TelegramError) as err:  # 5xx, time-outs, connection errors
        result.failure = str(err)
        result.retry_in = min(2.0**row.attempts, 300.0)
    return result


_CLAIMING = threading.Lock()  # one claim at a time in a process (SQLite has no row locks)


def claim_rows(
    services: Services,
    limit: int,
    held: set[int],
    *,
    chats: Collection[int] | None = None,
    replies_only: bool = False,
) -> tuple[list[OutboxRow], set[int]]:
    """Take due messages (not for chats without budget), and learn which of their chats have
    someone in a flow."""
    now = services.clock()
    hold = timedelta(seconds=services.settings.taizhang_claim_timeout)
    with _CLAIMING, services.db.unit_of_work() as session:
        claimed = outbox.claim(
            session, now, limit, hold=hold, skip_chats=held, chats=chats, replies_only=replies_only
        )
        rows = [
            OutboxRow.of(r, said_now(services, r.text, r.live, now))
            for r in reminders_owed.withdraw_done(session, claimed)
        ]
        busy = drafts.chats_in_flow(session, {r.chat_id for r in rows}, now - IN_FLOW)
    return rows, busy


def held_chats(bot: ExtBot[LimitArgs]) -> set[int]:
    """The chats the bot's limiter holds back now (no budget to spare, or after a 429)."""
    limiter = getattr(bot, "rate_limiter", None)
    return limiter.held() if isinstance(limiter, ChatBudget) else set()


async def deliver_once(bot: ExtBot[LimitArgs], services: Services, limit: int = 30) -> int:
    """Send up to `limit` due outbox messages, replies first; returns how many were handled.

    Chats are served side by side, the messages of one chat in order.
    A chat without budget to spare keeps its messages in the database until it has.
    """
    rows, busy = await asyncio.to_thread(claim_rows, services, limit, held_chats(bot))
    if not rows:
        return 0
    await send_in_order(bot, services, rows, busy)
    return len(rows)


async def send_in_order(
    bot: ExtBot[LimitArgs], services: Services, rows: list[OutboxRow], busy: Collection[int] = ()
) -> dict[int, float]:
    """Send claimed rows, chats side by side, each chat's in order; a chat that has no budget
    now keeps its rows in the database, untried. Returns those chats: seconds until a slot."""
    by_chat: dict[int, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        by_chat[row.chat_id].append(row)
    limiter = getattr(bot, "rate_limiter", None)
    limits = limiter.limits if isinstance(limiter, ChatBudget) else Limits()
    waits: dict[int, float] = {}

    async def chat_run(chat_rows: list[OutboxRow]) -> None:
        keep = limits.keep_for_people if chat_rows[0].chat_id in busy else 1
        for i, row in enumerate(chat_rows):
            res = await _send(bot, services, row, keep)
            if res.no_budget is not None or (res.retry_in is not None and res.flood):
                # the chat has no budget (or Telegram said wait): this message and the rest
                # of the chat's wait in the database, untried, in their order
                start = i if res.no_budget is not None else i + 1
                waiting = [r.outbox_id for r in chat_rows[start:]]
                if res.flood:
                    await _write(services, partial(_release_after_429, services, res, row.attempts))
                await _write(services, partial(_release, services, waiting))
                waits[row.chat_id] = res.no_budget or res.retry_in or 0.0
                return
            # settled as soon as Telegram answers: a process killed in the middle of a batch
            # leaves only the sends in flight at that moment to be sent again
            await _write(services, partial(settle_send, services, res, attempts=row.attempts))

    await asyncio.gather(*(chat_run(chat_rows) for chat_rows in by_chat.values()))
    return waits


async def _write(services: Services, write: Callable[[], None]) -> None:
    """Record what Telegram answered; while the database cannot be reached, keep the answer
    and try again. A message Telegram took but not recorded as sent would be sent twice once
    its claim runs out, so the answer is only dropped (by raising) after that."""
    claim_ends = services.clock() + timedelta(seconds=services.settings.taizhang_claim_timeout)
    while True:
        try:
            await asyncio.get_running_loop().run_in_executor(_settling, write)
            return
        except DBAPIError as err:
            if not unreachable(err) or services.clock() >= claim_ends:
                raise
        await asyncio.sleep(WRITE_AGAIN)


def _release(services: Services, ids: list[int]) -> None:
    if ids:
        with services.db.unit_of_work() as session:
            outbox.release(session, ids)


def _release_after_429(services: Services, res: _Result, attempts: int) -> None:
    """Telegram answered 429: the attempt counts; the message waits (the limiter holds its
    chat for `retry_after`), and fails for good only after MAX_ATTEMPTS."""
    if attempts >= MAX_ATTEMPTS:
        settle_send(services, res, attempts=attempts)
        return
    with services.db.unit_of_work() as session:
        outbox.release(session, [res.outbox_id])
        outbox.note_error(session, res.outbox_id, res.failure or "")


def settle_send(services: Services, res: _Result, *, attempts: int) -> None:
    """Record what Telegram answered to one send."""
    now = services.clock()
    with services.db.unit_of_work() as session:
        if res.sent_id is not None:
            outbox.mark_sent(session, res.outbox_id, res.sent_id, now)
        elif res.retry_in is not None and attempts < MAX_ATTEMPTS:
            logger.info("chat %s: retry in %.0fs (%s)", res.chat_id, res.retry_in, res.failure)
            outbox.mark_retry(
                session, res.outbox_id, now + timedelta(seconds=res.retry_in), res.failure or ""
            )
        else:
            logger.warning("chat %s: giving up (%s)", res.chat_id, res.failure)
            outbox.mark_failed(session, res.outbox_id, res.failure or "")
            if res.forbidden:
                _report_lost_chat(services, session, res.chat_id, now)


def _report_lost_chat(services: Services, session: Session, chat_id: int, now: datetime) -> None:
    """Tell the admins, once per chat, that the bot can no longer write there; the
    supervisors seen there hear in private again."""
    sightings.forget_chat(session, chat_id)
    camp = campaigns.active_campaign(session)
    tz = ZoneInfo(camp.timezone if camp else services.settings.taizhang_timezone)
    chat = chats.chat_by_id(session, chat_id)
    title = chat.title if chat else str(chat_id)
    items = []
    for admin in planning.admin_chats(session, services.settings.admin_ids):
        if admin == chat_id:
            continue
        planned = Planned(
            keys.chat_lost(chat_id, admin),
            "chat.lost",
            admin,
            msg("notify.chat_lost", chat=title),
            now,
        )
        items.append(render(services, planned, services.settings.taizhang_locale, tz))
    planning.save_planned(session, items, now)


async def delivery_job(context: Ctx) -> None:
    """JobQueue entry: drain what is due, a batch at a time; then note what was sent."""
    services = services_in(context.application.bot_data)
    try:
        for _ in range(100):  # bounded, so a tick always ends
            if await deliver_once(context.bot, services) == 0:
                break
        await record_sends(context.bot, services)
    except DBAPIError as err:
        if not unreachable(err):
            raise
        # the database's outage is logged once (storage.outage); the next tick tries again
