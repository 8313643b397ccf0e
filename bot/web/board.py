"""The supervisors' board (督办看板): every unit at a glance, a unit's ledger, a problem's
history with its evidence, the decisions waiting, the charts, the 约谈名单, the circular.

Each call is checked as the form's are (`calls.open_call`: Telegram's initData, our link) and
then by the chat's role rule for /board (`workflows/roles.COMMANDS`: supervisors and admins).
It reads what /summary and /item read and decides through the very functions the chat's
buttons call (`closeout.approve` / `reject`, `cases.decide_extension`), in one turn of the same
pipeline: same audit, same decision written down, same message to the unit's groups; 同意 is
confirmed and 不同意 needs its reason (`workflows/decisions.py` says how a decision reads).
催办 of a unit (`handlers/urging.urge`) goes to its groups through the outbox, once a working
day. Evidence is fetched from Telegram by the server (getFile) and passed on
(`board_files.py`): the token never reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from aiohttp import web

from bot.handlers import cases, closeout, items, urging
from bot.handlers.summary import campaign_summary, checkpoint_state
from bot.telegram.turn import Turn
from bot.web import board_files
from bot.web.board_files import Handler
from bot.web.calls import Answer, Refused, in_turn, json_body, page_text, refusal, refused_here
from bot.web.staff import board_call, for_staff, item_of, json_call
from storage import board as waiting
from storage import campaigns, decisions
from storage import ledger as store
from storage import summary as figures
from storage.calendar import work_calendar
from storage.models import Campaign, ForwardedCase, Unit, saved_id
from workflows.board import Standing, behind_first, case_days_by_unit
from workflows.cases import EXTENSION_REJECT
from workflows.circular import checkpoint_section
from workflows.decisions import decision_line
from workflows.deeplink import CIRCULAR_FILE, EVIDENCE_FILE, EXPORT_FILE
from workflows.forms import Flow
from workflows.inputs import FormEnv
from workflows.ledger import is_overdue, status_msg
from workflows.messages import msg
from workflows.page_form import fill
from workflows.weekly import REJECT

# close-outs listed on the board, longest waiting first; the rest are counted (and each is
# marked 待销号 in its unit's ledger, where it is opened and decided the same way)
WAITING_SHOWN = 50


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


def _with_urged(turn: Turn, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each unit with its latest 催办, if any."""
    urged = _urged(turn, [u["id"] for u in units])
    return [{**u, "urged": urged.get(u["id"], "")} for u in units]


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
            "file_names": [f.get("name", "") for f in w.ask.files] if w.ask else [],
        }
        for w in shown
    ]
    extensions = [
        extension_request(turn, c, names.get(c.unit_id, ""))
        for c in waiting.waiting_extensions(turn.session, unit_ids)
    ]
    return {"closeouts": asks, "closeouts_total": total, "extensions": extensions}


# ----- decisions: what a request shows, the trace of what was decided, 催办 -----


def _when(turn: Turn, at: datetime) -> str:
    return turn.text(msg("decision.when", at=at))


def extension_request(turn: Turn, case: ForwardedCase, unit: str) -> dict[str, Any]:
    """A request for more time as the board lays it out: every part on its own line (the
    unit's reason, the time limit now, the time asked for), and the case it is about."""
    asked = case.fields["extension"]
    until = datetime.fromisoformat(asked["until"])
    return {
        "case": case.id,
        "code": case.code,
        "unit": unit,
        "case_text": case.text,
        "reason": asked.get("reason", ""),
        "due": _when(turn, case.due_at),
        "until": _when(turn, until),
        "decisions": decision_trace(turn, decisions.decisions_of(turn.session, case_id=case.id)),
    }


def decision_trace(turn: Turn, made: list[decisions.Made]) -> list[dict[str, str]]:
    """Who decided what, when, and why: each decision as the page lists it."""
    return [
        {
            "what": d.what,
            "by": d.by,
            "at": _when(turn, d.at),
            "reason": d.reason,
            "text": turn.text(decision_line(d.what, d.by, d.at, d.reason)),
        }
        for d in made
    ]


def _unit_name(turn: Turn, unit_id: int) -> str:
    unit = turn.session.get(Unit, unit_id)
    return unit.name if unit is not None else ""


def _urged(turn: Turn, unit_ids: list[int]) -> dict[int, str]:
    """Each unit's latest 催办, as the board shows it (已催办 3月4日 10:12 王专班)."""
    last = decisions.last_urgings(turn.session, unit_ids)
    return {u: turn.text(urging.urged_text(m)) for u, m in last.items()}


def _urge(turn: Turn, raw: str, given: dict[str, Any]) -> Answer:
    """催办 a unit: one message to its groups, at most once a working day."""
    camp = turn.campaign
    unit = _unit(turn, camp, raw) if camp is not None else None
    if camp is None or unit is None:
        return refused_here(turn, 404, msg("bind.unknown_unit", text=raw))
    refused = urging.urge(turn, camp, unit)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return Answer(200, {"done": True, "urged": _urged(turn, [saved_id(unit)]).get(saved_id(unit))})


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
            "units": _with_urged(turn, [_unit_json(turn, s) for s in rows]),
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
                "unit": unit.id,
                "urged": _urged(turn, [saved_id(unit)]).get(saved_id(unit), ""),
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
                "unit": _unit_name(turn, item.unit_id),
                "decisions": decision_trace(
                    turn, decisions.decisions_of(turn.session, item_id=saved_id(item))
                ),
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
        reason = _reason(turn, given)
        if isinstance(reason, Answer):
            return reason
        refused = closeout.reject(turn, item, asked, item.version, reason)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return Answer(200, {"done": True})


def _reason(turn: Turn, given: dict[str, Any], flow: Flow = REJECT) -> str | Answer:
    """不同意's reason, required as the chat's reason step requires it; or the 422 saying so."""
    reason = fill(flow.steps, given, FormEnv(turn.stamp.at, turn.zone), {})
    if reason.errors:
        errors = {k: turn.text(v) for k, v in reason.errors.items()}
        return Answer(422, {"error": turn.text(msg("app.incomplete")), "errors": errors})
    return str(reason.values["reason"])


def _extension(turn: Turn, raw: str, given: dict[str, Any]) -> Answer:
    """{approve, reason}: 同意 or 不同意 (with its reason) on a case's request for more time,
    by the chat's own function."""
    case = turn.session.get(ForwardedCase, int(raw)) if raw.isdigit() else None
    if case is None:
        return refused_here(turn, 404, msg("case.unknown", code=raw))
    approve = given.get("approve") is True
    reason = "" if approve else _reason(turn, given, EXTENSION_REJECT)
    if isinstance(reason, Answer):
        return reason
    refused = cases.decide_extension(turn, case, approve=approve, reason=reason)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return Answer(200, {"done": True})


decide_closeout = _decision("item", _closeout)
decide_extension = _decision("case", _extension)
urge_unit = _decision("unit", _urge)


ROUTES = (
    ("GET", "api/board", show_board),
    ("GET", "api/board/units/{unit}", show_unit),
    ("GET", "api/board/items/{item}", show_item),
    ("POST", "api/board/items/{item}/decision", decide_closeout),
    ("POST", "api/board/cases/{case}/decision", decide_extension),
    ("POST", "api/board/units/{unit}/urge", urge_unit),
    *board_files.ROUTES,
)
