"""请假 as a form of the week's page: the days by date pickers, the deputy from a list of the
unit's other liaisons, the leave recorded and ended by the same code as /leave
(`bot.handlers.leave`), once per action id whatever the taps."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import PageRoute
from bot.telegram.turn import Turn
from bot.usecases.leave import (
    end_leave,
    leave_line,
    liaisons_of,
    my_leaves,
    take_leave,
    units_away,
)
from bot.web.calls import (
    Call,
    PageAnswer,
    checked_route,
    in_turn,
    json_body,
    page_text,
    refused_here,
    unit_of,
)
from bot.web.staff import json_call
from storage.models import Campaign, Unit, saved_id
from workflows.messages import Msg, msg
from workflows.people.leave import NO_DEPUTY, LeaveRefused, covered_by, deputy_options

# the field a refusal belongs under, by its reason (the rest show at the footer)
_FIELD_OF = {
    "leave.reversed": "last",
    "leave.past": "first",
    "leave.too_long": "last",
    "leave.overlaps": "first",
    "leave.deputy_not_liaison": "deputy",
    "leave.days_needed": "first",
}


def _own_unit(turn: Turn, call: Call) -> Unit | PageAnswer:
    """The call's unit, for one of its own liaisons only: leave is one's own."""
    unit = unit_of(turn, call)
    if isinstance(unit, PageAnswer):
        return unit
    if saved_id(unit) not in turn.actor.units:
        return refused_here(turn, 403, msg("leave.liaisons_only"))
    return unit


def leave_page(turn: Turn, call: Call) -> PageAnswer:
    """The form: the unit, its other liaisons to choose from, and the leave recorded, if any."""
    unit = _own_unit(turn, call)
    if isinstance(unit, PageAnswer):
        return unit
    me = turn.person.user_id
    act = act_of(turn)
    liaisons = liaisons_of(act, saved_id(unit))
    names = {p.user_id: p.name for p in liaisons}
    current = [
        {"id": saved_id(r), "text": turn.text(leave_line(turn.zone, r, names))}
        for r in my_leaves(act, saved_id(unit))
    ]
    options = [
        {"value": o.value, "label": turn.text(o.label)} for o in deputy_options(me, liaisons)
    ]
    today = turn.stamp.at.astimezone(turn.zone).date().isoformat()
    title = turn.text(msg("leave.title"))
    return PageAnswer(
        200,
        {
            "unit": unit.name,
            "title": title,
            "today": today,
            "deputies": options,
            "current": current,
        },
    )


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _refused(turn: Turn, reason: Msg) -> PageAnswer:
    text = turn.text(reason)
    field = _FIELD_OF.get(reason.id)
    return PageAnswer(422, {"error": text, "errors": {field: text} if field else {}})


@checked_route
async def leave_form(request: web.Request, call: Call) -> web.Response:
    """GET: the leave form."""
    return await in_turn(request, call, lambda turn: leave_page(turn, call))


@checked_route
async def record_leave(request: web.Request, call: Call) -> web.Response:
    """POST {first, last, deputy}: the leave recorded as /leave records it, or why not (422)."""
    given = await json_body(request)

    def body(turn: Turn) -> PageAnswer:
        unit = _own_unit(turn, call)
        if isinstance(unit, PageAnswer):
            return unit
        first, last = _day(given.get("first")), _day(given.get("last"))
        if first is None or last is None:
            return _refused(turn, msg("leave.days_needed"))
        raw = str(given.get("deputy") or NO_DEPUTY)
        deputy = int(raw) if raw.isdigit() and raw != NO_DEPUTY else None
        if not raw.isdigit():
            return _refused(turn, msg("leave.deputy_not_liaison"))
        try:
            with acting(turn) as act:
                said = take_leave(act, unit, first, last, deputy)
            turn.say(said)
        except LeaveRefused as err:
            return _refused(turn, err.reason)
        return PageAnswer(200, {"done": True})

    return await in_turn(request, call, body)


@checked_route
async def end_early_route(request: web.Request, call: Call) -> web.Response:
    """POST {id}: one's own leave ended now."""
    given = await json_body(request)

    def body(turn: Turn) -> PageAnswer:
        unit = _own_unit(turn, call)
        if isinstance(unit, PageAnswer):
            return unit
        leave_id = given.get("id")
        try:
            if not isinstance(leave_id, int):
                raise LeaveRefused(msg("form.not_yours"))
            with acting(turn) as act:
                said = end_leave(act, leave_id)
            turn.say(said)
        except LeaveRefused as err:
            return refused_here(turn, 409, err.reason)
        return PageAnswer(200, {"done": True})

    return await in_turn(request, call, body)


async def board_leave(request: web.Request) -> web.Response:
    """GET (the board): each unit with a liaison away or about to be — who, until when, who
    covers — and whether nobody of it is present now."""

    def body(turn: Turn, camp: Campaign) -> PageAnswer:
        out = []
        for unit in units_away(turn.session, camp, turn.stamp.at):
            names = unit.names
            lines = [
                page_text(
                    turn,
                    msg(
                        "leave.board_line",
                        name=names.get(a.user_id, ""),
                        first=a.first_day(turn.zone),
                        last=a.last_day(turn.zone),
                        deputy=covered_by(names.get(a.deputy or 0)),
                    ),
                )
                for a in unit.away
            ]
            out.append({"unit": unit.unit.name, "nobody": unit.nobody, "lines": lines})
        return PageAnswer(200, {"units": out})

    return await json_call(request, body)


ROUTES: tuple[PageRoute, ...] = (
    PageRoute("GET", "api/board/leave", board_leave),
    PageRoute("GET", "api/leave", leave_form),
    PageRoute("POST", "api/leave", record_leave),
    PageRoute("POST", "api/leave/end", end_early_route),
)
