"""The supervisors' board (督办看板): every unit at a glance, a unit's ledger, a problem's
history with its evidence, the decisions waiting, the charts, the 约谈名单, the circular.

Each call is checked as the form's are (`calls.open_call`: Telegram's initData, our link) and
then by the chat's role rule for /board (`workflows/roles.COMMANDS`: supervisors and admins).
It reads what /summary and /item read and decides through the very functions the chat's
buttons call (`closeout.approve` / `reject`, `cases.decide_extension`), in one turn of the same
pipeline: same audit, same message to the unit's groups. Evidence is fetched from Telegram by
the server (getFile) and passed on (`board_files.py`): the token never reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from aiohttp import web

from bot.handlers import cases, closeout, items
from bot.handlers.summary import campaign_summary, checkpoint_state
from bot.telegram.turn import Turn
from bot.web import board_files, limits
from bot.web.board_files import Handler
from bot.web.calls import Answer, Refused, in_turn, json_body, page_text, refusal, refused_here
from bot.web.staff import board_call, for_staff, item_of, json_call
from storage import board as waiting
from storage import campaigns
from storage import ledger as store
from storage import summary as figures
from storage.calendar import work_calendar
from storage.models import Campaign, ForwardedCase, Unit, saved_id
from workflows.board import Standing, behind_first, case_days_by_unit
from workflows.circular import checkpoint_section
from workflows.deeplink import CIRCULAR_FILE, EVIDENCE_FILE, EXPORT_FILE
from workflows.inputs import FormEnv
from workflows.ledger import is_overdue, status_msg
from workflows.messages import msg
from workflows.page_form import fill
from workflows.weekly import REJECT

# close-outs listed on the board, longest waiting first; the rest are counted (and each is
# marked 待销号 in its unit's ledger, where it is opened and decided the same way)
WAITING_SHOWN = 50
UNIT_PAGE = 200  # a unit's problems on one page of the board (`?page=2` for the next)
MAX_PAGE = 10_000


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
            "title": turn.text(msg("board.title")),
            "sub": turn.text(
                msg("board.sub", today=today, units=len(rows), behind=sum(s.behind for s in rows))
            ),
            "units": [_unit_json(turn, s) for s in rows],
            **_waiting(turn, list(names), names),
            "downloads": {
                "circular": board_files.ticket_for(turn, CIRCULAR_FILE),
                "export": board_files.ticket_for(turn, EXPORT_FILE),
            },
            "checkpoint": {
                "heading": turn.text(msg("board.checkpoint")),  # the circular numbers its own
                "lines": [turn.text(p) for p in section.paragraphs],
            },
        }
        return Answer(200, data)

    return await json_call(request, body)


def _unit(turn: Turn, camp: Campaign, raw: str) -> Unit | None:
    unit = turn.session.get(Unit, int(raw)) if raw.isdigit() else None
    return unit if unit is not None and unit.campaign_id == camp.id else None


async def show_unit(request: web.Request) -> web.Response:
    """GET: a unit's ledger, every problem with its status and latest progress."""
    raw = request.match_info["unit"]
    given = request.query.get("page", "1")
    page = int(given) if limits.is_id(given) and 0 < int(given) <= MAX_PAGE else 1

    def body(turn: Turn, camp: Campaign) -> Answer:
        unit = _unit(turn, camp, raw)
        if unit is None:
            return refused_here(turn, 404, msg("bind.unknown_unit", text=raw))
        every = store.items_of(turn.session, [saved_id(unit)])
        pages = max(1, -(-len(every) // UNIT_PAGE))
        rows = every[(page - 1) * UNIT_PAGE : page * UNIT_PAGE]  # a page of a long ledger
        last = store.last_progress(turn.session, [saved_id(i) for i in rows])
        today = _today(turn)
        return Answer(
            200,
            {
                "title": unit.name,
                "page": page,
                "pages": pages,
                "total": len(every),
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

    return await json_call(request, body)


def _files(turn: Turn, item_id: int, history: list[Any]) -> list[dict[str, Any]]:
    """Every evidence file of an item, numbered as the file route reads them; each with its
    path for the page and its ticket for Telegram's client."""
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
                    "ticket": board_files.ticket_for(turn, EVIDENCE_FILE, item_id, n),
                }
            )
    return out


async def show_item(request: web.Request) -> web.Response:
    """GET: a problem's card, its history with its evidence, and its close-out ask if any."""
    raw = request.match_info["item"]

    def body(turn: Turn, camp: Campaign) -> Answer:
        item = item_of(turn, raw)
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
                "files": _files(turn, saved_id(item), history),
                "ask": ask,
            },
        )

    return await json_call(request, body)


def _decision(key: str, decide: Callable[[Turn, str, dict[str, Any]], Answer]) -> Handler:
    """A POST deciding what waits (a close-out, an extension): its JSON read, then `decide`
    in one turn for those /board is for."""

    async def route(request: web.Request) -> web.Response:
        call = await board_call(request)
        if isinstance(call, web.Response):
            return call
        try:
            given = await json_body(request)
        except Refused as err:
            return refusal(request, err.status, err.reason, call.caller.language)
        raw = request.match_info[key]
        return await in_turn(request, call, for_staff(lambda turn, _: decide(turn, raw, given)))

    return route


def _closeout(turn: Turn, raw: str, given: dict[str, Any]) -> Answer:
    """{ask, approve, reason}: 同意 or 不同意 (with its reason) on a close-out ask, by the chat
    buttons' own functions."""
    item = item_of(turn, raw)
    if isinstance(item, Answer):
        return item
    asked = given.get("ask") if isinstance(given.get("ask"), int) else None
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


def _extension(turn: Turn, raw: str, given: dict[str, Any]) -> Answer:
    """{approve}: 同意 or 不同意 on a case's request for more time, as the chat's buttons."""
    case = turn.session.get(ForwardedCase, int(raw)) if raw.isdigit() else None
    if case is None:
        return refused_here(turn, 404, msg("case.unknown", code=raw))
    refused = cases.decide_extension(turn, case, approve=given.get("approve") is True)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return Answer(200, {"done": True})


decide_closeout = _decision("item", _closeout)
decide_extension = _decision("case", _extension)


ROUTES = (
    ("GET", "api/board", show_board),
    ("GET", "api/board/units/{unit}", show_unit),
    ("GET", "api/board/items/{item}", show_item),
    ("POST", "api/board/items/{item}/decision", decide_closeout),
    ("POST", "api/board/cases/{case}/decision", decide_extension),
    *board_files.ROUTES,
)
