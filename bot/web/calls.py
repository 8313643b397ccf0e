"""A Mini App call is glue: the person from Telegram's signed `initData`, the chat and the
unit from our signed link, then one turn through the same pipeline as a chat update.

Every API handler of every page goes through `open_call` (who, where; 401/403 with a one-line
reason, nothing changed) and `in_turn` (its body runs in the turn's unit of work, off the event
loop; what the chat would have said comes back in the JSON, what other chats must hear goes
through the outbox as in the chat).
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from aiohttp import web

from bot.telegram.applinks import app_key
from bot.telegram.feature import Registry
from bot.telegram.services import BotApp, Services, services_in
from bot.telegram.source import Source
from bot.telegram.turn import Turn
from bot.usecases import callers
from bot.web import request_limits
from bot.web.init_data import Caller, InitDataError, check
from storage import page_actions  # the door's own once-only record of a write: see in_turn
from storage.models import Chat, Unit, saved_id
from workflows.clean import clean_json
from workflows.forms.deeplink import AppLink, LinkError, read_app_payload
from workflows.messages import Msg, msg

T = TypeVar("T")
JSON_LIMIT = 64 * 1024  # bytes of a JSON body: a week's item, a new problem
UI = "app.ui."  # the page's own words, served with what a page opens with (a read), not a save
LINK_HEADER = "X-Taizhang-Link"  # our payload, when Telegram's start_param does not carry it
TAGS = re.compile(r"<[^>]*>")
ACTION_HEADER = "X-Action-Id"  # made by the page once per action: a tap and its every retry
ACTION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]  # a route's function


class Turns(Protocol):
    """The turn pipeline (`bot.serve.pipeline.Pipeline`), as the Mini App uses it."""

    async def run(
        self, source: Source, body: Callable[[Turn], T], *, query: Any = None, send: bool = True
    ) -> tuple[Turn | None, T | None]:
        """One turn: its unit of work off the event loop; replies sent unless `send` is off."""
        ...

    @property
    def registry(self) -> Registry:
        """The features' registry the turns run with: the chat's flows, opened and begun
        from a page as the chat does."""
        ...


BOT = web.AppKey("bot", BotApp)
TURNS = web.AppKey("turns", Turns)


@dataclass(frozen=True)
class PageAnswer:
    """What a call's body answers: an HTTP status and the JSON (the turn's replies are added)."""

    status: int = 200
    data: dict[str, Any] = field(default_factory=dict)  # JSON, or a file's bytes (board_files)


@dataclass(frozen=True)
class Call:
    """Who calls, from which link (None: the private chat's menu), acting in which chat."""

    caller: Caller
    link: AppLink | None
    source: Source


CALL = web.RequestKey("call", Call)  # the request's checked call, for what reads its body


class PageRefused(Exception):
    """A call refused before any turn: its status and its one-line reason."""

    def __init__(self, status: int, reason: Msg) -> None:
        super().__init__(reason.id)
        self.status, self.reason = status, reason


class RefusedAnswer(Exception):
    """A call refused by a check run in a turn (its answer already in the caller's words)."""

    def __init__(self, answer: PageAnswer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def request_services(request: web.Request) -> Services:
    """The bot's services."""
    return services_in(request.app[BOT].bot_data)


def refusal_response(
    request: web.Request, status: int, reason: Msg, language: str = ""
) -> web.Response:
    """A refusal as JSON: the status and the reason, in the caller's language if known."""
    services = request_services(request)
    lang = "en" if language.lower().startswith("en") else services.settings.taizhang_locale
    text = services.translator.text(reason, lang)
    return web.json_response({"ok": False, "error": text}, status=status)


def raw_init_data(request: web.Request) -> str:
    """initData as the page sends it: `Authorization: tma <initData>`."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "tma" else ""


async def open_call(request: web.Request, stranger: Msg | None = None) -> Call:
    """Check initData and the link; the call's source, or `Refused` (nothing has changed).
    Someone the bot has never met is refused with `stranger` (the form's words by default)
    before any turn, so opening the page leaves no person and no chat behind."""
    services = request_services(request)
    token = services.settings.telegram_bot_token or ""
    now = services.clock()
    try:
        caller = check(raw_init_data(request), token, now)
    except InitDataError as err:
        raise PageRefused(401, msg(f"app.refused.{err.reason}")) from None
    payload = caller.start_param or request.headers.get(LINK_HEADER, "")
    link = None
    if payload:
        try:
            link = read_app_payload(app_key(services.settings), payload, now)
        except LinkError as err:
            expired = err.reason == "expired"
            reason = "app.refused.link_expired" if expired else "app.refused.link_forged"
            raise PageRefused(403, msg(reason)) from None
        if link.user_id and link.user_id != caller.speaker.user_id:
            raise PageRefused(403, msg("weekly.link_not_yours"))
    me = caller.speaker.user_id
    if not await asyncio.to_thread(_known, services, me):  # a stranger leaves no row behind
        raise PageRefused(403, stranger or msg("app.refused.no_unit"))
    chat_id = link.chat_id if link is not None and link.chat_id else me
    if chat_id == me:
        title = caller.speaker.full_name
        source = Source(me, "private", title, caller.speaker, bot_username=services.bot_username)
        return Call(caller, link, source)
    chat = await asyncio.to_thread(_chat, services, chat_id)
    if chat is None or chat.kind == "private":  # someone else's private chat: not ours to act in
        raise PageRefused(403, msg("weekly.link_not_yours"))
    source = Source(
        chat_id, chat.kind, chat.title, caller.speaker, bot_username=services.bot_username
    )
    return Call(caller, link, source)


def _known(services: Services, user_id: int) -> bool:
    """Whether the person has written to the bot (or been named by an admin) before."""
    if user_id in services.settings.admin_ids:
        return True
    with services.db.unit_of_work() as session:
        return callers.is_known(session, user_id)


def _chat(services: Services, chat_id: int) -> Chat | None:
    with services.db.unit_of_work() as session:
        chat = callers.chat_of(session, chat_id)
        if chat is not None:
            session.expunge(chat)
        return chat


Route = Callable[[web.Request, Call], Awaitable[web.Response]]


def checked_route(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A route whose call is checked first (initData and its link); a `Refused`, from the
    check or from reading the call's body, is answered as a refusal and nothing changes."""

    @functools.wraps(route)
    async def run(request: web.Request) -> web.Response:
        call: Call | None = None
        try:
            call = await open_call(request)
            request[CALL] = call
            return await route(request, call)
        except RefusedAnswer as err:
            data = {"ok": False, **err.answer.data}
            return web.json_response(data, status=err.answer.status)
        except PageRefused as err:
            language = call.caller.language if call is not None else ""
            return refusal_response(request, err.status, err.reason, language)
        except request_limits.SlowBody:
            language = call.caller.language if call is not None else ""
            return refusal_response(request, 408, msg("limits.app.too_slow"), language)

    return run


async def json_body(request: web.Request, limit: int = JSON_LIMIT) -> dict[str, object]:
    """The call's JSON object, at most `limit` bytes; `Refused` otherwise."""
    if request.content_length is not None and request.content_length > limit:
        raise PageRefused(413, msg("app.refused.too_large"))

    async def read() -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(16 * 1024):  # chunked: no length
            size += len(chunk)
            if size > limit:
                raise PageRefused(413, msg("app.refused.too_large"))
            chunks.append(chunk)
        return b"".join(chunks)

    raw = await request_limits.within_body_time(read())
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError):  # nested past the parser's stack: no form of ours
        raise PageRefused(400, msg("app.refused.bad_request")) from None
    if not isinstance(data, dict) or request_limits.too_deep(data):
        raise PageRefused(400, msg("app.refused.bad_request"))
    cleaned = clean_json(data)  # a dict, as `data` is
    return cleaned if isinstance(cleaned, dict) else {}


def action_of(request: web.Request) -> str | None:
    """The id the page made for this write (`X-Action-Id`); None for a read or a caller that
    sends none; `Refused` when it is not one the page makes."""
    raw = request.headers.get(ACTION_HEADER)
    if raw is None or request.method in ("GET", "HEAD"):
        return None
    if not ACTION_ID.fullmatch(raw):
        raise PageRefused(400, msg("app.refused.bad_request"))
    return raw


async def in_turn(
    request: web.Request, call: Call, body: Callable[[Turn], PageAnswer]
) -> web.Response:
    """Run the body as one turn of the pipeline; its answer, with what the turn said. A write
    sent again under its action id is answered with its first answer, nothing done again."""
    action = action_of(request)
    user_id = call.caller.speaker.user_id

    # The once-only record of a page's write, keyed by the action id the page made, is this
    # door's own machinery (a tap and its retries answered once, as the pipeline answers a
    # Telegram update once), not campaign state: it keeps the HTTP answer, which no use case
    # knows, so the door reads and writes it itself (`storage/page_actions.py`).
    def once(turn: Turn) -> page_actions.Done:
        if action is not None:
            first = page_actions.take(turn.session, user_id, action, turn.stamp.at)
            if first is not None:
                return first
        done = _answered(turn, body(turn))
        if action is not None:
            page_actions.keep(turn.session, user_id, action, done)
        return done

    turn, done = await request.app[TURNS].run(call.source, once, send=False)
    if turn is None or done is None:
        return refusal_response(request, 403, msg("app.refused.forged"), call.caller.language)
    return _response(request, turn, done)


async def answer_done_before(request: web.Request, call: Call) -> web.Response | None:
    """The first answer to a write already done under its action id, before a write that
    works outside a turn (a file sent to Telegram) begins; None when it is still to do."""
    action = action_of(request)
    if action is None:
        return None
    user_id = call.caller.speaker.user_id

    def first(turn: Turn) -> page_actions.Done | None:
        return page_actions.done_before(turn.session, user_id, action)

    turn, done = await request.app[TURNS].run(call.source, first, send=False)
    if turn is None or done is None:
        return None
    return _response(request, turn, done)


def _response(request: web.Request, turn: Turn, done: page_actions.Done) -> web.Response:
    """The answer as JSON; a read (what a page opens with) carries the page's words, a write
    does not: the page has them already, and a save's answer stays small on a slow line."""
    body = (
        {**done.answer, "texts": ui_texts(turn)}
        if request.method in ("GET", "HEAD")
        else done.answer
    )
    return web.json_response(body, status=done.status, dumps=_utf8)


def _utf8(data: object) -> str:
    """JSON with the Chinese as UTF-8 (3 bytes a character), not `\\uXXXX` escapes (6)."""
    return json.dumps(data, ensure_ascii=False)


def _answered(turn: Turn, answer: PageAnswer) -> page_actions.Done:
    said = [turn.text(r.text) for r in turn.replies if r.chat_id in (None, turn.chat.chat_id)]
    data = {"ok": answer.status < 400, **answer.data, "said": said}
    if turn.notice:
        data.setdefault("error", turn.notice)
    return page_actions.Done(answer.status, data)


def ui_texts(turn: Turn) -> dict[str, str]:
    """The page's own words (`app.ui.*`) in the turn's language, as templates.

    A word with plural forms is sent as its `other` form under its key and each other form
    under `key#category` (`b_files#one`), which the page picks by `Intl.PluralRules` of `lang`.
    """
    tr = turn.services.translator
    loc = tr.locale(turn.lang)
    ids = [k for k in tr.catalogs[tr.default] if k.startswith(UI)]
    words = {k[len(UI) :]: tr.template(k, loc) for k in ids}
    for k, forms in tr.plurals.get(loc, {}).items():
        if k.startswith(UI):
            words.update({f"{k[len(UI) :]}#{c}": s for c, s in forms.items() if c != "other"})
    words["lang"] = loc.replace("_", "-")
    return words


def page_text(turn: Turn, message: Msg | str) -> str:
    """A message as the page shows it: the chat's HTML (a bold code, a name) as plain text,
    what people typed shown as they typed it."""
    tr = turn.services.translator
    marked = tr.text(message, turn.lang, tz=turn.zone, escape=True, year=turn.year)
    return html.unescape(TAGS.sub("", marked))


def registry_of(request: web.Request) -> Registry:
    """The registry the chat reads, for a page that opens or begins a flow."""
    return request.app[TURNS].registry


def refused_here(turn: Turn, status: int, reason: Msg) -> PageAnswer:
    """A refusal found in the turn: its reason in the turn's language."""
    return PageAnswer(status, {"error": turn.text(reason)})


def unit_of(turn: Turn, call: Call) -> Unit | PageAnswer:
    """The unit the call is for (the link's, or in private the caller's only one) once the
    same role rule as the chat allows it: the unit's liaisons (an admin may act for any)."""
    unit: Unit | None
    if call.link is not None:
        unit = callers.unit_by_id(turn.session, call.link.unit_id)
        if turn.campaign is None or unit is None or unit.campaign_id != turn.campaign.id:
            return refused_here(turn, 403, msg("app.refused.link_expired"))
        if turn.chat.unit_id is not None and turn.chat.unit_id != unit.id:
            return refused_here(turn, 403, msg("app.refused.link_forged"))
    else:
        unit = turn.unit_here
        if turn.campaign is None or unit is None:
            return refused_here(turn, 403, msg("app.refused.no_unit"))
    if not turn.actor.reports_for(saved_id(unit)):
        return refused_here(turn, 403, msg("submit.not_liaison", unit=unit.name))
    return unit
