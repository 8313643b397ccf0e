"""Notifications: rendered into the outbox once, delivered within each chat's budget."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.telegram.applinks import notice_button
from bot.telegram.budget import ChatBudget, LimitArgs, Limits, NoBudget
from bot.telegram.render import Outgoing, send_outgoing
from bot.telegram.services import BotApp, Ctx, Services, services_in
from bot.telegram.turn import Turn
from storage import campaigns, chats, drafts, outbox, planning, reminders_owed, sendlog, sightings
from storage.drafts import SentPrompt
from storage.models import OutboxMessage, saved_id
from storage.outage import unreachable
from workflows import keys
from workflows.json_types import JSONObject, JSONValue, json_str
from workflows.messages import Lines, Msg, msg
from workflows.planner import LiveLeft, Planned, time_left

logger = logging.getLogger(__name__)
# What Telegram answered is written on a pool of its own, never behind the turns queued on the
# default executor: a message Telegram took but not yet noted as sent is sent again if its
# process dies, and with seventy turns queued that wait was seconds, not milliseconds.
_settling = ThreadPoolExecutor(max_workers=2, thread_name_prefix="settle")
MAX_ATTEMPTS = 20
IN_FLOW = timedelta(minutes=10)  # a draft answered this recently: someone is in a flow
WRITE_AGAIN = 1.0  # seconds between attempts to record a send while the database is away


# Where a time left goes in an outbox text, said again as of sending: the first at LIVE, the
# n-th (a catch-up folds several) at LIVE with n inside (word joiners: no HTML, never typed)
LIVE = "\u2060\u23f3\u2060"


def _marker(n: int) -> str:
    return LIVE if n == 0 else f"\u2060\u23f3{n}\u2060"


def _live(message: Msg, dues: list[datetime]) -> Msg:
    """The message with each time left in it, however deep (a catch-up's lines, a 补发's body),
    replaced by a marker; the due times they count to are appended to `dues`, in order."""

    def swap(value: object) -> object:
        if isinstance(value, LiveLeft) and value.due is not None:
            dues.append(value.due)
            return _marker(len(dues) - 1)
        if isinstance(value, Msg):
            return swap_msg(value)
        if isinstance(value, Lines):
            return Lines(swap_msg(v) if isinstance(v, Msg) else v for v in value)
        if isinstance(value, list | tuple):
            return [swap(v) for v in value]
        return value

    def swap_msg(value: Msg) -> Msg:
        return Msg(value.id, {k: swap(v) for k, v in value.params.items()})

    return swap_msg(message)


def render(
    services: Services, planned: Planned, lang: str | None, tz: ZoneInfo
) -> planning.Rendered:
    """The notification's text and buttons in the chat's language; a time left it says is
    marked, to be said as of sending."""
    tr = services.translator
    year = planned.not_before.astimezone(tz).year
    dues: list[datetime] = []
    text = tr.text(_live(planned.message, dues), lang, tz=tz, escape=True, year=year)
    live: JSONObject | None = None
    if dues and all(_marker(n) in text for n in range(len(dues))):
        said_dues: list[JSONValue] = [due.isoformat() for due in dues]
        live = {
            "dues": said_dues,
            "lang": tr.locale(lang or tr.default),
            "tz": tz.key,
        }
    else:
        text = tr.text(planned.message, lang, tz=tz, escape=True, year=year)
    markup = None
    rows = []
    for label, data in planned.buttons:
        said = tr.text(label, lang)
        if isinstance(data, str):
            rows.append([InlineKeyboardButton(said, callback_data=data)])
        elif (opens := notice_button(services, said, data, planned.chat_id)) is not None:
            rows.append([opens])
    if rows:
        markup = InlineKeyboardMarkup(rows).to_dict()
    return planning.Rendered(planned, text, markup, live)


def said_now(services: Services, text: str, live: JSONObject | None, now: datetime) -> str:
    """An outbox text with each time left said as of `now` (the moment it is sent)."""
    if not live:
        return text
    dues = live.get("dues") or [live["due"]]  # a row written before one text held several
    for n, due in enumerate(dues if isinstance(dues, list) else []):
        if (marker := _marker(n)) in text:
            left = time_left(datetime.fromisoformat(json_str(due)), now)
            lang, tz = json_str(live["lang"]), ZoneInfo(json_str(live["tz"]))
            said = services.translator.text(left, lang, tz=tz, escape=True)
            text = text.replace(marker, said)
    return text


def enqueue(
    services: Services, session: Session, planned: list[Planned], tz: ZoneInfo, now: datetime
) -> int:
    """Render each notification in its chat's language and put it in the outbox, once."""
    if not planned:
        return 0
    langs = chats.languages(session, {p.chat_id for p in planned})
    default = services.settings.taizhang_locale
    cache: dict[tuple[str, str], planning.Rendered] = {}
    rendered = []
    for p in planned:  # thousands of units share one text: render it once
        lang = langs.get(p.chat_id) or default
        key = (repr((p.message, p.buttons, p.not_before.year)), lang)
        if key not in cache:
            cache[key] = render(services, p, lang, tz)
        done = cache[key]
        rendered.append(planning.Rendered(p, done.text, done.reply_markup, done.live))
    return planning.save_planned(session, rendered, now)


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


def post(turn: Turn, planned: list[Planned]) -> None:
    """Put what a turn plans to tell others into the outbox, in the turn's unit of work."""
    enqueue(turn.services, turn.session, planned, turn.zone, turn.stamp.at)


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
            prompt = message.sent_prompt(sent.message_id) if sent is not None else None
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
