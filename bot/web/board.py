"""The supervisors' board (督办看板): every unit at a glance, a unit's ledger, a problem's
history with its evidence, the decisions waiting, the charts, the 约谈名单, the circular.

Each call is checked as the form's are (`calls.open_call`: Telegram's initData, our link) and
then by the chat's role rule for /board (`workflows/roles.COMMANDS`: supervisors and admins).
It reads what /summary and /item read and decides through the very functions the chat's
buttons call (`closeout.approve` / `reject`, `cases.decide_extension`), in one turn of the same
pipeline: same audit, same message to the unit's groups. Evidence is fetched from Telegram by
the server (getFile) and passed on; the bot's token never reaches the page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web
from telegram.error import TelegramError

from bot.handlers import cases, closeout, items
from bot.handlers.summary import (
    campaign_summary,
    checkpoint_state,
    circular_docx,
    document_say,
    summary_picture,
)
from bot.telegram.turn import Turn
from bot.web.calls import (
    BOT,
    TURNS,
    Answer,
    Call,
    Refused,
    in_turn,
    json_body,
    open_call,
    page_text,
    refusal,
    refused_here,
)
from storage import board as waiting
from storage import campaigns
from storage import ledger as store
from storage import summary as figures
from storage.calendar import work_calendar
from storage.export import write_workbook
from storage.models import Campaign, ForwardedCase, LedgerItem, Unit, saved_id
from workflows.board import Standing, behind_first, case_days_by_unit
from workflows.circular import checkpoint_section
from workflows.deeplink import BOARD_PAGE
from workflows.inputs import FormEnv
from workflows.ledger import is_overdue, status_msg
from workflows.messages import msg
from workflows.page_form import fill
from workflows.roles import may
from workflows.weekly import REJECT

Body = Callable[[Turn, Campaign], Answer]
FILE = "_file"  # an answer's key for a file's bytes, type and name (not JSON)
# close-outs listed on the board, longest waiting first; the rest are counted (and each is
# marked 待销号 in its unit's ledger, where it is opened and decided the same way)
WAITING_SHOWN = 50


async def _call(request: web.Request) -> Call | web.Response:
    """The call checked as the form's are; a board link only (or none: the private menu)."""
    try:
        call = await open_call(request)
    except Refused as err:
        return refusal(request, err.status, err.reason)
    if call.link is not None and call.link.page != BOARD_PAGE:
        return refusal(request, 403, msg("app.refused.link_forged"), call.caller.language)
    return call


def _staff(body: Body) -> Callable[[Turn], Answer]:
    """The body, run only for the people /board is for (the chat's rule), with a campaign."""

    def checked(turn: Turn) -> Answer:
        if not may(turn.actor, "board"):
            return refused_here(turn, 403, msg("command.denied", command="board"))
        if turn.campaign is None:
            return refused_here(turn, 403, msg("bind.no_campaign"))
        return body(turn, turn.campaign)

    return checked


async def _json(request: web.Request, body: Body) -> web.Response:
    call = await _call(request)
    if isinstance(call, web.Response):
        return call
    return await in_turn(request, call, _staff(body))


def _today(turn: Turn) -> date:
    return turn.stamp.at.astimezone(turn.zone).date()


def _standings(turn: Turn, camp: Campaign) -> list[Standing]:
    now = turn.stamp.at
    _, rows = campaign_summary(turn.session, camp, now)
    units = campaigns.units_of(turn.session, saved_id(camp))
    names = {saved_id(u): u.name for u in units}
    late = figures.overdue_cases(turn.session, names, now)
    cal = work_calendar(turn.session) if late else None
    days = case_days_by_unit(((c.unit, c.due) for c in late), now, cal, turn.zone) if cal else {}
    return behind_first(
        [Standing(saved_id(u), r, days.get(u.name, 0)) for u, r in zip(units, rows, strict=True)]
    )


def _unit_json(turn: Turn, s: Standing) -> dict[str, Any]:
    f, c = s.summary.ledger, s.summary.cases
    return {
        "id": s.unit_id,
        "name": s.summary.name,
        "total": f.total,
        "open": s.open,
        "closing": f.closing,
        "closed": f.closed,
        "overdue": f.overdue,
        "weekly": s.summary.weekly,
        "weekly_text": turn.text(msg(f"summary.weekly.{s.summary.weekly}")),
        "cases_open": c.open,
        "cases_overdue": c.overdue,
        "case_days": s.case_days,
        "behind": s.behind,
    }


def _waiting(turn: Turn, unit_ids: list[int], names: Mapping[int, str]) -> dict[str, Any]:
    shown, total = waiting.waiting_closeouts(turn.session, unit_ids, limit=WAITING_SHOWN)
    asks = [
        {
            "item": w.item.id,
            "ask": w.ask.id if w.ask else None,
            "code": w.item.code,
            "name": w.item.name,
            "unit": names.get(w.item.unit_id, ""),
            "result": w.ask.result if w.ask else "",
            "files": len(w.ask.files) if w.ask else 0,
        }
        for w in shown
    ]
    extensions = [
        {
            "case": c.id,
            "code": c.code,
            "unit": names.get(c.unit_id, ""),
            "text": turn.text(
                msg(
                    "extension.request",
                    code=c.code,
                    unit=names.get(c.unit_id, ""),
                    reason=c.fields["extension"].get("reason", ""),
                    due=c.due_at,
                    until=datetime.fromisoformat(c.fields["extension"]["until"]),
                )
            ),
        }
        for c in waiting.waiting_extensions(turn.session, unit_ids)
    ]
    return {"closeouts": asks, "closeouts_total": total, "extensions": extensions}


async def show_board(request: web.Request) -> web.Response:
    """GET: every unit (behind first), the decisions waiting, the next checkpoint's list."""

    def body(turn: Turn, camp: Campaign) -> Answer:
        rows = _standings(turn, camp)
        names = {s.unit_id: s.summary.name for s in rows}
        today = _today(turn)
        section = checkpoint_section(
            checkpoint_state(turn.session, camp, dict(names), today), today
        )
        data = {
            "title": turn.text(msg("board.title", campaign=camp.name)),
            "sub": turn.text(
                msg("board.sub", today=today, units=len(rows), behind=sum(s.behind for s in rows))
            ),
            "units": [_unit_json(turn, s) for s in rows],
            **_waiting(turn, list(names), names),
            "checkpoint": {
                "heading": turn.text(section.heading),
                "lines": [turn.text(p) for p in section.paragraphs],
            },
        }
        return Answer(200, data)

    return await _json(request, body)


def _unit(turn: Turn, camp: Campaign, raw: str) -> Unit | None:
    unit = turn.session.get(Unit, int(raw)) if raw.isdigit() else None
    return unit if unit is not None and unit.campaign_id == camp.id else None


async def show_unit(request: web.Request) -> web.Response:
    """GET: a unit's ledger, every problem with its status and latest progress."""
    raw = request.match_info["unit"]

    def body(turn: Turn, camp: Campaign) -> Answer:
        unit = _unit(turn, camp, raw)
        if unit is None:
            return refused_here(turn, 404, msg("bind.unknown_unit", text=raw))
        rows = store.items_of(turn.session, [saved_id(unit)])
        last = store.last_progress(turn.session, [saved_id(i) for i in rows])
        today = _today(turn)
        return Answer(
            200,
            {
                "title": unit.name,
                "items": [
                    {
                        "id": i.id,
                        "code": i.code,
                        "name": i.name,
                        "status": i.status,
                        "status_text": turn.text(status_msg(i.status)),
                        "due": turn.text(msg("app.due", due=i.due_on)) if i.due_on else "",
                        "overdue": is_overdue(i.due_on, i.status, today),
                        "last": items.progress_text(last[saved_id(i)])
                        if saved_id(i) in last
                        else "",
                    }
                    for i in rows
                ],
            },
        )

    return await _json(request, body)


def _item(turn: Turn, raw: str) -> LedgerItem | Answer:
    item = turn.session.get(LedgerItem, int(raw)) if raw.isdigit() else None
    if item is None:
        return refused_here(turn, 404, msg("ledger.unknown", code=raw))
    return item


def _files(item_id: int, history: list[Any]) -> list[dict[str, Any]]:
    """Every evidence file of an item, numbered as the file route reads them."""
    out: list[dict[str, Any]] = []
    for p in history:
        for f in p.files:
            n = len(out)
            out.append(
                {
                    "n": n,
                    "name": f.get("name", ""),
                    "media": f.get("media", ""),
                    "path": f"api/board/items/{item_id}/files/{n}",
                }
            )
    return out


async def show_item(request: web.Request) -> web.Response:
    """GET: a problem's card, its history with its evidence, and its close-out ask if any."""
    raw = request.match_info["item"]

    def body(turn: Turn, camp: Campaign) -> Answer:
        item = _item(turn, raw)
        if isinstance(item, Answer):
            return item
        history = store.progress_of(turn.session, saved_id(item))
        last = items.progress_text(history[-1]) if history else ""
        ask = store.closeout_ask(turn.session, saved_id(item)) if item.status == "closing" else None
        return Answer(
            200,
            {
                "id": item.id,
                "code": item.code,
                "title": f"{item.code} {item.name}",
                "card": page_text(turn, items.card(turn, item, last)),
                "history": [
                    page_text(
                        turn,
                        msg(
                            "ledger.history_line",
                            week=p.week_of,
                            status=msg(f"weekly.st.{p.status}"),
                            text=items.progress_text(p),
                        ),
                    )
                    for p in history
                ],
                "files": _files(saved_id(item), history),
                "ask": ask,
            },
        )

    return await _json(request, body)


async def evidence(request: web.Request) -> web.Response:
    """GET: one evidence file, fetched from Telegram by the server (getFile) and passed on."""
    call = await _call(request)
    if isinstance(call, web.Response):
        return call
    raw, n = request.match_info["item"], request.match_info["n"]

    def body(turn: Turn, camp: Campaign) -> Answer:
        item = _item(turn, raw)
        if isinstance(item, Answer):
            return item
        found = [f for p in store.progress_of(turn.session, saved_id(item)) for f in p.files]
        if not n.isdigit() or int(n) >= len(found):
            return refused_here(turn, 404, msg("ledger.unknown", code=raw))
        return Answer(200, {"file": found[int(n)]})

    turn, answer = await request.app[TURNS].run(call.source, _staff(body), send=False)
    if turn is None or answer is None:
        return refusal(request, 403, msg("app.refused.forged"), call.caller.language)
    if answer.status >= 400:
        return web.json_response({"ok": False, **answer.data}, status=answer.status)
    file = answer.data["file"]
    try:
        got = await request.app[BOT].bot.get_file(file["file_id"])
        content = bytes(await got.download_as_bytearray())
    except TelegramError as err:
        return refusal(request, 502, msg("app.upload_failed", reason=err.message))
    photo = file.get("media") == "photo"
    kind = file.get("mime") or ("image/jpeg" if photo else "application/octet-stream")
    return _download(content, kind, file.get("name") or "file", inline=photo)


def _download(content: bytes, kind: str, name: str, *, inline: bool = False) -> web.Response:
    how = "inline" if inline else "attachment"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_")
    return web.Response(
        body=content,
        content_type=kind,
        headers={
            "Content-Disposition": f'{how}; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name)}"
        },
    )


async def _file_answer(request: web.Request, body: Body) -> web.Response:
    """A call whose answer is a file (a chart, a document) made in the turn's unit of work."""
    call = await _call(request)
    if isinstance(call, web.Response):
        return call
    turn, answer = await request.app[TURNS].run(call.source, _staff(body), send=False)
    if turn is None or answer is None:
        return refusal(request, 403, msg("app.refused.forged"), call.caller.language)
    if answer.status >= 400:
        return web.json_response({"ok": False, **answer.data}, status=answer.status)
    content, kind, name = answer.data[FILE]
    return _download(content, kind, name, inline=kind.startswith("image/"))


async def chart(request: web.Request) -> web.Response:
    """GET: /summary's chart, the same picture."""

    def body(turn: Turn, camp: Campaign) -> Answer:
        _, rows = campaign_summary(turn.session, camp, turn.stamp.at)
        png = summary_picture(turn.session, camp, turn.stamp.at, rows, turn.text)
        return Answer(200, {FILE: (png, "image/png", "chart.png")})

    return await _file_answer(request, body)


def _stamp(turn: Turn) -> str:
    return turn.stamp.at.astimezone(turn.zone).strftime("%Y%m%d")


async def circular(request: web.Request) -> web.Response:
    """GET: the week's circular (.docx), as /summary 通报 sends it."""

    def body(turn: Turn, camp: Campaign) -> Answer:
        say = document_say(turn)
        data = circular_docx(turn.session, camp, turn.stamp.at, say)
        name = f"{say(msg('circular.file_name'))}-{_stamp(turn)}.docx"
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return Answer(200, {FILE: (data, kind, name)})

    return await _file_answer(request, body)


async def export(request: web.Request) -> web.Response:
    """GET: the campaign's workbook, as /export sends it."""

    def body(turn: Turn, camp: Campaign) -> Answer:
        out = io.BytesIO()
        write_workbook(turn.session, camp, out, document_say(turn))
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Answer(200, {FILE: (out.getvalue(), kind, f"taizhang-{_stamp(turn)}.xlsx")})

    return await _file_answer(request, body)


async def decide_closeout(request: web.Request) -> web.Response:
    """POST {ask, approve, reason}: 同意 or 不同意 (with its reason) on a close-out ask, by the
    chat buttons' own functions."""
    call = await _call(request)
    if isinstance(call, web.Response):
        return call
    try:
        given = await json_body(request)
    except Refused as err:
        return refusal(request, err.status, err.reason, call.caller.language)
    raw = request.match_info["item"]
    ask = given.get("ask")

    def body(turn: Turn, camp: Campaign) -> Answer:
        item = _item(turn, raw)
        if isinstance(item, Answer):
            return item
        asked = ask if isinstance(ask, int) else None
        if given.get("approve") is True:
            refused = closeout.approve(turn, item, asked)
        else:
            reason = fill(REJECT.steps, given, FormEnv(turn.stamp.at, turn.zone), {})
            if reason.errors:
                errors = {k: turn.text(v) for k, v in reason.errors.items()}
                return Answer(422, {"error": turn.text(msg("app.incomplete")), "errors": errors})
            refused = closeout.reject(turn, item, asked, item.version, reason.values["reason"])
        if refused is not None:
            return refused_here(turn, 409, refused)
        return Answer(200, {"done": True})

    return await in_turn(request, call, _staff(body))


async def decide_extension(request: web.Request) -> web.Response:
    """POST {approve}: 同意 or 不同意 on a case's request for more time, as the chat's buttons."""
    call = await _call(request)
    if isinstance(call, web.Response):
        return call
    try:
        given = await json_body(request)
    except Refused as err:
        return refusal(request, err.status, err.reason, call.caller.language)
    raw = request.match_info["case"]

    def body(turn: Turn, camp: Campaign) -> Answer:
        case = turn.session.get(ForwardedCase, int(raw)) if raw.isdigit() else None
        if case is None:
            return refused_here(turn, 404, msg("case.unknown", code=raw))
        refused = cases.decide_extension(turn, case, approve=given.get("approve") is True)
        if refused is not None:
            return refused_here(turn, 409, refused)
        return Answer(200, {"done": True})

    return await in_turn(request, call, _staff(body))


ROUTES = (
    ("GET", "api/board", show_board),
    ("GET", "api/board/units/{unit}", show_unit),
    ("GET", "api/board/items/{item}", show_item),
    ("GET", "api/board/items/{item}/files/{n}", evidence),
    ("POST", "api/board/items/{item}/decision", decide_closeout),
    ("POST", "api/board/cases/{case}/decision", decide_extension),
    ("GET", "api/board/chart.png", chart),
    ("GET", "api/board/circular.docx", circular),
    ("GET", "api/board/export.xlsx", export),
)
