"""The supervisors' board (督办看板): every unit at a glance, a unit's ledger, a problem's
history with its evidence, the decisions waiting, the charts, the 约谈名单, the circular.

Each call is checked as the form's are (`calls.open_call`: Telegram's initData, our link) and
then by the chat's role rule for /board (`workflows/people/roles.COMMANDS`: supervisors and admins).
It reads what /summary and /item read and decides through the very functions the chat's
buttons call (`bot/usecases/closeout.py`: `approve_closeout_ask` / `reject_closeout_ask`,
`cases.decide_case_extension`), in one turn of the same pipeline: same audit, same decision
written down, same message to the unit's groups; 同意 is confirmed and 不同意 needs its reason
(`workflows/supervision/decisions.py` says how a decision reads).
催办 of a unit (`bot/usecases/urging.py`: `urge`) goes to its groups through the outbox,
once a working day. Evidence is fetched from Telegram by the server (getFile) and passed on
(`board_files.py`): the token never reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from aiohttp import web

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import PageRoute
from bot.telegram.turn import Turn
from bot.usecases import board, cases, closeout, corrections, items, urging
from bot.usecases.summary import checkpoint_state, weekly_shares
from bot.web import board_files, request_limits
from bot.web.calls import Handler, PageAnswer, page_text, refused_here
from bot.web.staff import item_of, json_call, json_write
from storage.models import (
    AuditEvent,
    Campaign,
    ForwardedCase,
    LedgerItem,
    ProgressUpdate,
    saved_id,
)
from workflows.casework.cases import EXTENSION_REJECT
from workflows.documents.circular import RankingState, checkpoint_section, ranking_section
from workflows.documents.summary import CHART_UNITS, percent, problem_bars
from workflows.forms.deeplink import CIRCULAR_FILE, EVIDENCE_FILE, EXPORT_FILE
from workflows.forms.engine import Flow
from workflows.forms.flow_page import fill
from workflows.forms.inputs import FormEnv
from workflows.json_read import need_int, need_mapping, str_of
from workflows.json_types import json_object
from workflows.messages import msg
from workflows.problems.evidence import file_label
from workflows.problems.ledger import Status, is_overdue, status_msg
from workflows.supervision.board import Standing
from workflows.supervision.colours import COLOURS
from workflows.supervision.decisions import decision_line
from workflows.supervision.standing import DUE, LATE, MISSING, ON_TIME, SOON_WORKING_DAYS
from workflows.week.correction import REJECT_CORRECTION
from workflows.week.weekly import REJECT

# close-outs listed on the board, longest waiting first; the rest are counted (and each is
# marked 待销号 in its unit's ledger, where it is opened and decided the same way)
WAITING_SHOWN = 50
# a unit's problems on one page of the board (`?page=2` for the next): a unit's whole ledger as
# people keep it, so the page's filters see every problem; a runaway one is cut to pages
UNIT_PAGE = 1000
MAX_PAGE = 10_000


def _today(turn: Turn) -> date:
    return turn.stamp.at.astimezone(turn.zone).date()


def _standings(turn: Turn, camp: Campaign) -> list[Standing]:
    """Every unit with its figures and its colour by the standing rule, behind first."""
    return board.standings(turn.session, camp, turn.stamp.at, turn.zone)


def _unit_json(turn: Turn, s: Standing) -> dict[str, object]:
    f, c = s.summary.ledger, s.summary.cases
    return {
        "id": s.unit_id,
        "name": s.summary.name,
        "total": f.total,
        "open": s.open,
        "closing": f.closing,
        "closed": f.closed,
        "overdue": f.overdue,
        "rate": round(100 * f.rate),
        "weekly": s.report,
        "weekly_text": turn.text(msg(f"standing.report.{s.report}")),
        "cases_open": c.open + c.overdue,
        "cases_overdue": c.overdue,
        "case_days": s.case_days,
        "behind": s.behind,
        "colour": s.verdict.colour,
        # the reasons as keys: the page says them in its own words (app.ui.g_why_*), which
        # come once, not again with each of hundreds of units
        "reasons": list(s.verdict.reasons),
        "due_soon": s.facts.problems_due_soon,
        "cases_today": s.facts.cases_due_today,
    }


def _figures(turn: Turn, camp: Campaign, rows: list[Standing]) -> dict[str, object]:
    """The campaign's figures on top of the board: problems, 已销号 and 销号率, 逾期, this
    week's reports (on time, late, not yet in; its deadline passed or not), cases, colours."""
    ledger = [s.summary.ledger for s in rows]
    cases = [s.summary.cases for s in rows]
    total, closed = sum(f.total for f in ledger), sum(f.closed for f in ledger)
    week = board.week_due(camp, turn.stamp.at, turn.zone)
    deadline = week.deadline
    passed = deadline is not None and turn.stamp.at >= deadline
    weekly = {
        "name": week.name,
        "on_time": sum(s.report == ON_TIME for s in rows),
        "late": sum(s.report == LATE for s in rows),
        "not_in": sum(s.report in (DUE, MISSING) for s in rows),
        "passed": passed,
        "deadline": turn.text(
            msg("standing.deadline_passed" if passed else "standing.deadline_ahead", due=deadline)
        )
        if deadline is not None
        else "",
    }
    return {
        "problems": total,
        "closed": closed,
        "closing": sum(f.closing for f in ledger),
        "rate": percent(closed, total),
        "overdue": sum(f.overdue for f in ledger),
        "weekly": weekly,
        "cases_open": sum(c.open + c.overdue for c in cases),
        "cases_overdue": sum(c.overdue for c in cases),
        "colours": {c: sum(s.verdict.colour == c for s in rows) for c in COLOURS},
    }


def _charts(turn: Turn, camp: Campaign, rows: list[Standing]) -> dict[str, object]:
    """What the page draws as its charts (the /summary picture's two, as data): problems per
    unit, only units with a problem, most overdue first; the weekly report on time by week."""
    bars, _ = problem_bars([s.summary for s in rows if s.summary.ledger.total], CHART_UNITS)
    shown = sum(1 for s in rows if s.summary.ledger.total)
    return {
        "problems": [
            {"name": b.name, "overdue": b.overdue, "open": b.open, "closed": b.closed} for b in bars
        ],
        "left_out": max(0, shown - len(bars)),
        "weeks": [
            {
                "day": turn.text(msg("chart.day", month=w.day.month, day=w.day.day)),
                "on_time": w.on_time,
                "late": w.late,
                "units": w.units,
            }
            for w in weekly_shares(turn.session, camp, turn.stamp.at)
        ],
    }


def _with_urged(turn: Turn, units: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each unit with its latest 催办, if any."""
    urged = _urged(turn, [need_int(u["id"]) for u in units])
    return [{**u, "urged": urged.get(need_int(u["id"]), "")} for u in units]


def _waiting(turn: Turn, unit_ids: list[int], names: Mapping[int, str]) -> dict[str, object]:
    waits = board.waiting_decisions(turn.session, unit_ids, shown=WAITING_SHOWN)
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
            "evidence_flags": evidence_flag_texts(turn, w.item, w.ask.files if w.ask else []),
        }
        for w in waits.closeouts
    ]
    extensions = [extension_request(turn, c, names.get(c.unit_id, "")) for c in waits.extensions]
    corrections = [board_correction(turn, row, names) for row in waits.corrections]
    return {
        "closeouts": asks,
        "closeouts_total": waits.closeouts_total,
        "extensions": extensions,
        "corrections": corrections,
    }


# ----- decisions: what a request shows, the trace of what was decided, 催办 -----


def _when(turn: Turn, at: datetime) -> str:
    return turn.text(msg("decision.when", at=at))


def extension_request(turn: Turn, case: ForwardedCase, unit: str) -> dict[str, object]:
    """A request for more time as the board lays it out: every part on its own line (the
    unit's reason, the time limit now, the time asked for), and the case it is about."""
    asked = json_object(case.fields["extension"])
    until = datetime.fromisoformat(str_of(asked["until"]))
    return {
        "case": case.id,
        "code": case.code,
        "unit": unit,
        "case_text": case.text,
        "reason": asked.get("reason", ""),
        "due": _when(turn, case.due_at),
        "until": _when(turn, until),
        "decisions": decision_trace(turn, board.decisions_on(turn.session, case_id=case.id)),
    }


def board_correction(turn: Turn, row: AuditEvent, names: Mapping[int, str]) -> dict[str, object]:
    """A correction asked after the week's deadline, as the board lays it out: the unit, the
    week, who asked and when, and each change it would make (before → after) if approved."""
    ctx = need_mapping((row.after or {})["ctx"])
    asker = board.person_of(turn.session, row.actor_user_id or 0)

    def said(value: object) -> str:
        return page_text(turn, msg("cadence.value", value=value) if value else msg("form.empty"))

    return {
        "request": row.id,
        "unit": names.get(need_int(ctx["unit_id"]), ""),
        "report": str_of(ctx["report_name"]),
        "due": _when(turn, datetime.fromisoformat(str_of(ctx["due"]))),
        "by": (asker.name or asker.display_name) if asker else "",
        "at": _when(turn, row.at),
        "changes": [
            {
                "code": c.code,
                "field": page_text(turn, msg(c.field)),
                "before": said(c.before),
                "after": said(c.after),
            }
            for c in corrections.requested_changes(act_of(turn), row)
        ],
    }


def decision_trace(turn: Turn, made: list[board.MadeDecision]) -> list[dict[str, str]]:
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


def _urged(turn: Turn, unit_ids: list[int]) -> dict[int, str]:
    """Each unit's latest 催办, as the board shows it (已催办 3月4日 10:12 王专班)."""
    urged = urging.urged_texts(turn.session, unit_ids)
    return {u: turn.text(m) for u, m in urged.items()}


def _urge(turn: Turn, raw: str, given: dict[str, object]) -> PageAnswer:
    """催办 a unit: one message to its groups, at most once a working day."""
    camp = turn.campaign
    unit = board_files.unit_in(turn, camp, raw) if camp is not None else None
    if camp is None or unit is None:
        return refused_here(turn, 404, msg("bind.unknown_unit", text=raw))
    with acting(turn) as act:
        refused = urging.urge(act, camp, unit)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return PageAnswer(
        200, {"done": True, "urged": _urged(turn, [saved_id(unit)]).get(saved_id(unit))}
    )


def _ranking(turn: Turn, camp: Campaign) -> dict[str, object]:
    """得分与排名: the last whole week's, month's and quarter's scores by the campaign's rule
    (`storage/scores.py`; the week first, as the circular's), each with the rule and the 红黄绿
    lists in words (the circular's own section) and the table's rows."""
    return {
        "heading": turn.text(msg("scores.heading")),
        "label": turn.text(msg("scores.period_choice")),
        "periods": [
            _period_ranking(turn, state)
            for state in board.rankings(turn.session, camp, turn.stamp.at)
        ],
    }


def _period_ranking(turn: Turn, state: RankingState) -> dict[str, object]:
    section = ranking_section(state)
    return {
        "kind": state.period.kind,
        "name": turn.text(msg(f"scores.kind.{state.period.kind}")),
        "lines": [turn.text(p) for p in section.paragraphs],
        "columns": [turn.text(m) for m in section.table.header] if section.table else [],
        "rows": [
            {
                "rank": r.rank,
                "unit": r.unit,
                "score": f"{r.score:.1f}",
                "colour": r.colour,
                "colour_text": turn.text(msg(f"scores.colour.{r.colour}")),
            }
            for r in state.rows
            if r.rank is not None
        ],
    }


async def show_board(request: web.Request) -> web.Response:
    """GET: every unit (behind first), the decisions waiting, the next checkpoint's list."""

    def body(turn: Turn, camp: Campaign) -> PageAnswer:
        rows = _standings(turn, camp)
        names = {s.unit_id: s.summary.name for s in rows}
        today = _today(turn)
        section = checkpoint_section(
            checkpoint_state(turn.session, camp, dict(names), today), today
        )
        data = {
            "title": turn.text(msg("board.title")),
            "sub": turn.text(
                msg(
                    "standing.sub",
                    today=today,
                    units=len(rows),
                    **{c: sum(s.verdict.colour == c for s in rows) for c in COLOURS},
                )
            ),
            "figures": _figures(turn, camp, rows),
            "soon_days": SOON_WORKING_DAYS,
            "units": _with_urged(turn, [_unit_json(turn, s) for s in rows]),
            "charts": _charts(turn, camp, rows),
            **_waiting(turn, list(names), names),
            "downloads": {
                "circular": board_files.ticket_for(turn, CIRCULAR_FILE),
                "export": board_files.ticket_for(turn, EXPORT_FILE),
            },
            "download_names": board_files.download_names(turn, camp),
            "checkpoint": {
                "heading": turn.text(msg("board.checkpoint")),  # the circular numbers its own
                "lines": [turn.text(p) for p in section.paragraphs],
            },
            "ranking": _ranking(turn, camp),
        }
        return PageAnswer(200, data)

    return await json_call(request, body)


async def show_unit(request: web.Request) -> web.Response:
    """GET: a unit's ledger, every problem with its status and latest progress."""
    raw = request.match_info["unit"]
    given = request.query.get("page", "1")
    page = int(given) if request_limits.is_id(given) and 0 < int(given) <= MAX_PAGE else 1

    def body(turn: Turn, camp: Campaign) -> PageAnswer:
        unit = board_files.unit_in(turn, camp, raw)
        if unit is None:
            return refused_here(turn, 404, msg("bind.unknown_unit", text=raw))
        ledger = board.ledger_page(turn.session, saved_id(unit), page, UNIT_PAGE)
        last = ledger.last
        today = _today(turn)
        return PageAnswer(
            200,
            {
                "title": unit.name,
                "page": page,
                "pages": ledger.pages,
                "total": ledger.total,
                "unit": unit.id,
                "urged": _urged(turn, [saved_id(unit)]).get(saved_id(unit), ""),
                "filters": _ledger_filters(turn),
                "download": {
                    "path": f"api/board/units/{unit.id}/export.xlsx",
                    "ticket": board_files.ticket_for(turn, EXPORT_FILE, saved_id(unit)),
                    "name": board_files.download_names(turn, camp, unit)["export"],
                },
                "items": [
                    {
                        "id": i.id,
                        "code": i.code,
                        "name": i.name,
                        "status": i.status,
                        "status_text": turn.text(status_msg(i.status)),
                        "due": turn.text(msg("app.due", due=i.due_on)) if i.due_on else "",
                        "overdue": is_overdue(i.due_on, i.status, today),
                        "late_days": (today - i.due_on).days
                        if i.due_on and is_overdue(i.due_on, i.status, today)
                        else 0,
                        "last": turn.text(items.progress_text(last[saved_id(i)]))
                        if saved_id(i) in last
                        else "",
                    }
                    for i in ledger.items
                ],
            },
        )

    return await json_call(request, body)


def _ledger_filters(turn: Turn) -> list[dict[str, str]]:
    """The ledger's filters by status, as the page offers them: all, 逾期, then each status."""
    statuses = (Status.OPEN, Status.CLOSING, Status.CLOSED, Status.PAUSED)
    return [
        {"key": "all", "label": turn.text(msg("standing.filter.all"))},
        {"key": "overdue", "label": turn.text(msg("standing.filter.overdue"))},
        *({"key": s, "label": turn.text(status_msg(s))} for s in statuses),
    ]


def evidence_flag_texts(
    turn: Turn, item: LedgerItem, files: Sequence[Mapping[str, object]]
) -> list[str]:
    """What the supervisor deciding a close-out should know of its files (a file used for
    another problem before, a photo taken long before it was sent), as the card says it."""
    return [turn.text(f) for f in closeout.evidence_flags(act_of(turn), item, files)]


def _files(turn: Turn, item_id: int, history: list[ProgressUpdate]) -> list[dict[str, object]]:
    """Every evidence file of an item, numbered as the file route reads them; each with its
    path for the page and its ticket for Telegram's client."""
    out: list[dict[str, object]] = []
    for p in history:
        for f in p.files:
            n = len(out)
            out.append(
                {
                    "n": n,
                    "name": f.get("name", ""),
                    "media": f.get("media", ""),
                    "label": turn.text(file_label(f)),  # with its receipt and short hash
                    "path": f"api/board/items/{item_id}/files/{n}",
                    "ticket": board_files.ticket_for(turn, EVIDENCE_FILE, item_id, n),
                }
            )
    return out


async def board_item_route(request: web.Request) -> web.Response:
    """GET: a problem's card, its history with its evidence, and its close-out ask if any."""
    raw = request.match_info["item"]

    def body(turn: Turn, camp: Campaign) -> PageAnswer:
        item = item_of(turn, raw)
        if isinstance(item, PageAnswer):
            return item
        shown = board.problem_on_board(turn.session, item)
        history, ask = shown.history, shown.ask
        last = items.progress_text(history[-1]) if history else ""
        return PageAnswer(
            200,
            {
                "id": item.id,
                "code": item.code,
                "title": f"{item.code} {item.name}",
                "card": page_text(
                    turn, items.card(item, turn.stamp.at.astimezone(turn.zone).date(), last)
                ),
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
                "evidence_flags": evidence_flag_texts(turn, item, history[-1].files if ask else []),
                "ask": ask,
                "unit": shown.unit,
                "decisions": decision_trace(turn, shown.decisions),
            },
        )

    return await json_call(request, body)


def _decision(key: str, decide: Callable[[Turn, str, dict[str, object]], PageAnswer]) -> Handler:
    """A POST deciding what waits (a close-out, an extension): its JSON read, then `decide`
    in one turn for those /board is for."""

    async def route(request: web.Request) -> web.Response:
        raw = request.match_info[key]
        return await json_write(request, lambda turn, _, given: decide(turn, raw, given))

    return route


def _closeout(turn: Turn, raw: str, given: dict[str, object]) -> PageAnswer:
    """{ask, approve, reason}: 同意 or 不同意 (with its reason) on a close-out ask, by the chat
    buttons' own functions."""
    item = item_of(turn, raw)
    if isinstance(item, PageAnswer):
        return item
    ask = given.get("ask")
    asked = ask if isinstance(ask, int) else None
    if given.get("approve") is True:
        with acting(turn) as act:
            refused = closeout.approve_closeout_ask(act, item, asked)
    else:
        reason = _reason(turn, given)
        if isinstance(reason, PageAnswer):
            return reason
        with acting(turn) as act:
            refused = closeout.reject_closeout_ask(act, item, asked, item.version, reason)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return PageAnswer(200, {"done": True})


def _reason(turn: Turn, given: dict[str, object], flow: Flow = REJECT) -> str | PageAnswer:
    """不同意's reason, required as the chat's reason step requires it; or the 422 saying so."""
    reason = fill(flow.steps, given, FormEnv(turn.stamp.at, turn.zone), {})
    if reason.errors:
        errors = {k: turn.text(v) for k, v in reason.errors.items()}
        return PageAnswer(422, {"error": turn.text(msg("app.incomplete")), "errors": errors})
    return str(reason.values["reason"])


def _extension(turn: Turn, raw: str, given: dict[str, object]) -> PageAnswer:
    """{approve, reason}: 同意 or 不同意 (with its reason) on a case's request for more time,
    by the chat's own function."""
    case = cases.case_by_id(turn.session, int(raw)) if raw.isdigit() else None
    if case is None:
        return refused_here(turn, 404, msg("case.unknown", code=raw))
    approve = given.get("approve") is True
    reason = "" if approve else _reason(turn, given, EXTENSION_REJECT)
    if isinstance(reason, PageAnswer):
        return reason
    with acting(turn) as act:
        refused = cases.decide_case_extension(act, case, approve=approve, reason=reason)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return PageAnswer(200, {"done": True})


def _correction(turn: Turn, raw: str, given: dict[str, object]) -> PageAnswer:
    """{approve, reason}: 同意 or 不同意 (with its reason) on a correction asked after the
    deadline, by the chat buttons' own functions."""
    if not raw.isdigit() or not corrections.is_request(turn.session, int(raw)):
        return refused_here(turn, 404, msg("correction.decided"))
    if given.get("approve") is True:
        with acting(turn) as act:
            refused = corrections.approve_correction_request(act, int(raw))
    else:
        reason = _reason(turn, given, REJECT_CORRECTION)
        if isinstance(reason, PageAnswer):
            return reason
        with acting(turn) as act:
            refused = corrections.reject_correction_request(act, int(raw), reason)
    if refused is not None:
        return refused_here(turn, 409, refused)
    return PageAnswer(200, {"done": True})


decide_closeout = _decision("item", _closeout)
decide_correction_route = _decision("request", _correction)
decide_extension_route = _decision("case", _extension)
urge_unit = _decision("unit", _urge)


ROUTES: tuple[PageRoute, ...] = (
    PageRoute("GET", "api/board", show_board),
    PageRoute("GET", "api/board/units/{unit}", show_unit),
    PageRoute("GET", "api/board/items/{item}", board_item_route),
    PageRoute("POST", "api/board/items/{item}/decision", decide_closeout),
    PageRoute("POST", "api/board/cases/{case}/decision", decide_extension_route),
    PageRoute("POST", "api/board/corrections/{request}/decision", decide_correction_route),
    PageRoute("POST", "api/board/units/{unit}/urge", urge_unit),
    *board_files.ROUTES,
)
