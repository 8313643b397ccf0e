"""The board's files: /summary's chart, the circular, the workbook, and a problem's evidence,
fetched from Telegram by the server (getFile) so the bot's token never reaches the page.

The page fetches them with its initData header. Telegram's client saves a file itself only
from a URL it fetches without our headers (`WebApp.downloadFile`), so each file also has a
ticket: a path signed for one person and an hour, whose role rule is checked again when used.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote

from aiohttp import web
from telegram.error import TelegramError

from bot.delivery.acts import document_say
from bot.telegram.applinks import app_key
from bot.telegram.feature import PageRoute
from bot.telegram.services import Services
from bot.telegram.source import Source, Speaker
from bot.telegram.turn import Turn
from bot.usecases import board
from bot.usecases.circular import circular_docx
from bot.usecases.exports import export_name, export_workbook
from bot.usecases.items import history_of
from bot.usecases.summary import campaign_summary, summary_picture
from bot.web.calls import (
    BOT,
    TURNS,
    Handler,
    PageAnswer,
    refusal_response,
    refused_here,
    request_services,
)
from bot.web.request_limits import media_type
from bot.web.staff import Body, board_call, for_staff, item_of
from storage.models import Campaign, Person, Unit, saved_id
from workflows.clean import clean_name
from workflows.forms.deeplink import (
    CIRCULAR_FILE,
    EVIDENCE_FILE,
    EXPORT_FILE,
    LinkError,
    Ticket,
    make_ticket,
    read_ticket,
)
from workflows.messages import msg

logger = logging.getLogger(__name__)
FILE = "_file"  # an answer's key for a file's bytes, type and name (not JSON)
TELEGRAM = "_telegram"  # an answer's key for a file kept on Telegram, to fetch by getFile
TICKET_LIFETIME = timedelta(hours=1)


def _evidence(raw: str, n: str) -> Body:
    """One evidence file of a problem, as the drafts keep it (fetched from Telegram after)."""

    def body(turn: Turn, camp: Campaign) -> PageAnswer:
        item = item_of(turn, raw)
        if isinstance(item, PageAnswer):
            return item
        found = [f for p in history_of(turn.session, saved_id(item)) for f in p.files]
        if not n.isdigit() or int(n) >= len(found):
            return refused_here(turn, 404, msg("ledger.unknown", code=raw))
        return PageAnswer(200, {TELEGRAM: found[int(n)]})

    return body


def _chart(turn: Turn, camp: Campaign) -> PageAnswer:
    _, rows = campaign_summary(turn.session, camp, turn.stamp.at)
    png = summary_picture(turn.session, camp, turn.stamp.at, rows, turn.text)
    return PageAnswer(200, {FILE: (png, "image/png", "chart.png")})


# downloads ---------------------------------------------------------------------------------
# Each is named for what it is, its scope and its day (尉犁县问题整改台账_2024-03-04.xlsx), in the
# documents' language, so a supervisor can file it as it comes.
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEB_TELEGRAM = "https://web.telegram.org"  # Telegram's web client fetches `downloadFile` URLs


def download_names(turn: Turn, camp: Campaign, unit: Unit | None = None) -> dict[str, str]:
    """The names the page gives its downloads (the same the server sends): the workbook's
    scope (the unit, or the campaign) and today's date (ISO) in each."""
    say, day = document_say(turn), turn.stamp.at.astimezone(turn.zone).date().isoformat()
    export = export_name(camp, say, turn.stamp.at, unit)
    if unit is not None:
        return {"export": export}
    return {"circular": say(msg("standing.file.circular", date=day)), "export": export}


def _circular(turn: Turn, camp: Campaign) -> PageAnswer:
    """The week's circular (.docx), as /summary 通报 sends it."""
    data = circular_docx(turn.session, camp, turn.stamp.at, document_say(turn))
    return PageAnswer(200, {FILE: (data, DOCX, download_names(turn, camp)["circular"])})


def _export(unit_raw: str = "") -> Body:
    """The campaign's workbook, as /export sends it, or one unit's part of it."""

    def body(turn: Turn, camp: Campaign) -> PageAnswer:
        unit = unit_in(turn, camp, unit_raw) if unit_raw else None
        if unit_raw and unit is None:
            return refused_here(turn, 404, msg("bind.unknown_unit", text=unit_raw))
        out = io.BytesIO()
        done = export_workbook(
            turn.session, camp, out, document_say(turn), now=turn.stamp.at, unit=unit
        )
        return PageAnswer(200, {FILE: (out.getvalue(), XLSX, done.name)})

    return body


def unit_in(turn: Turn, camp: Campaign, raw: str) -> Unit | None:
    """The campaign's unit of this id (from a path or a ticket), if it is one."""
    return board.unit_of_campaign(turn.session, camp, int(raw)) if raw.isdigit() else None


async def _serve(request: web.Request, source: Source, language: str, body: Body) -> web.Response:
    """A file made (or found) in one turn, for those /board is for: a chart or document as
    made, an evidence file fetched from Telegram by the server (getFile)."""
    turn, answer = await request.app[TURNS].run(source, for_staff(body), send=False)
    if turn is None or answer is None:
        return refusal_response(request, 403, msg("app.refused.forged"), language)
    if answer.status >= 400:
        return web.json_response({"ok": False, **answer.data}, status=answer.status)
    if TELEGRAM in answer.data:
        file = answer.data[TELEGRAM]
        try:
            got = await request.app[BOT].bot.get_file(file["file_id"])
            content = bytes(await got.download_as_bytearray())
        except (TelegramError, OSError) as err:  # its text is for the log, not the page
            logger.warning("evidence download failed: %r", err)
            return refusal_response(request, 502, msg("limits.app.download_failed"), language)
        photo = file.get("media") == "photo"
        kind = file.get("mime") or ("image/jpeg" if photo else "application/octet-stream")
        return _download(content, kind, file.get("name") or "file", inline=photo)
    content, kind, name = answer.data[FILE]
    return _download(content, kind, name, inline=kind.startswith("image/"))


def ascii_fallback(name: str) -> str:
    """The plain-ASCII `filename` beside `filename*` (RFC 6266) for clients that read no UTF-8
    name: what is ASCII of the name (its date, its extension), else `download`."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    kept = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_.") or "download"
    return f"{kept}.{ext}" if ext.isascii() and ext.isalnum() else kept


def _download(content: bytes, kind: str, name: str, *, inline: bool = False) -> web.Response:
    kind, name = media_type(kind), clean_name(name) or "file"
    how = "inline" if inline else "attachment"
    disposition = f"{how}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name)}"
    headers = {"Content-Disposition": disposition, "Access-Control-Allow-Origin": WEB_TELEGRAM}
    return web.Response(body=content, content_type=kind, headers=headers)


def _file_route(make: Callable[[web.Request], Body]) -> Handler:
    """A GET answered with a file, checked as every call of the board is."""

    async def route(request: web.Request) -> web.Response:
        call = await board_call(request)
        if isinstance(call, web.Response):
            return call
        return await _serve(request, call.source, call.caller.language, make(request))

    return route


evidence = _file_route(lambda r: _evidence(r.match_info["item"], r.match_info["n"]))
chart = _file_route(lambda r: _chart)
circular = _file_route(lambda r: _circular)
export = _file_route(lambda r: _export())
unit_export = _file_route(lambda r: _export(r.match_info["unit"]))
TICKETED: dict[int, Callable[[Ticket], Body]] = {
    EVIDENCE_FILE: lambda t: _evidence(str(t.item_id), str(t.n)),
    CIRCULAR_FILE: lambda t: _circular,
    EXPORT_FILE: lambda t: _export(str(t.item_id) if t.item_id else ""),  # a unit's, or all
}


def ticket_for(turn: Turn, what: int, item_id: int = 0, n: int = 0) -> str:
    """The path of a download Telegram's client may fetch for this person (`downloadFile`
    sends no headers): signed, for an hour, checked again when used."""
    expires = turn.stamp.at + TICKET_LIFETIME
    ticket = Ticket(turn.person.user_id, what, expires, item_id, n)
    return "api/board/download/" + make_ticket(app_key(turn.services.settings), ticket)


async def ticketed(request: web.Request) -> web.Response:
    """GET: a download by ticket (Telegram's `downloadFile`), for its person only, once the
    role rule allows it again; refused like a link when forged or expired."""
    services = request_services(request)
    try:
        ticket = read_ticket(
            app_key(services.settings), request.match_info["ticket"], services.clock()
        )
    except LinkError as err:
        reason = (
            "app.refused.link_expired" if err.reason == "expired" else "app.refused.link_forged"
        )
        return refusal_response(request, 403, msg(reason))
    person = await asyncio.to_thread(_person, services, ticket.user_id)
    if person is None:
        return refusal_response(request, 403, msg("app.refused.link_forged"))
    speaker = Speaker(person.user_id, person.username, person.display_name)
    source = Source(
        person.user_id, "private", person.display_name, speaker, bot_username=services.bot_username
    )
    return await _serve(request, source, "", TICKETED[ticket.what](ticket))


def _person(services: Services, user_id: int) -> Person | None:
    """The person a ticket names, as last seen (so the turn keeps their names as they are)."""
    with services.db.unit_of_work() as session:
        person = board.person_of(session, user_id)
        if person is not None:
            session.expunge(person)
        return person


ROUTES: tuple[PageRoute, ...] = (
    PageRoute("GET", "api/board/items/{item}/files/{n}", evidence),
    PageRoute("GET", "api/board/chart.png", chart),
    PageRoute("GET", "api/board/circular.docx", circular),
    PageRoute("GET", "api/board/export.xlsx", export),
    PageRoute("GET", "api/board/units/{unit}/export.xlsx", unit_export),
    PageRoute("GET", "api/board/download/{ticket}", ticketed),
)
