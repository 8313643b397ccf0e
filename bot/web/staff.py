"""A call of the supervisors' board: checked as the form's calls are (`calls.open_call`:
Telegram's initData, our link, a board link only), then by the chat's role rule for /board
(`workflows/people/roles.COMMANDS`: supervisors and admins), in one turn of the same pipeline."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.telegram.turn import Turn
from bot.usecases.items import item_by_id
from bot.web.calls import (
    Call,
    PageAnswer,
    PageRefused,
    in_turn,
    json_body,
    open_call,
    refusal_response,
    refused_here,
)
from storage.models import Campaign, LedgerItem
from workflows.forms.deeplink import BOARD_PAGE
from workflows.messages import msg
from workflows.people.roles import may

Body = Callable[[Turn, Campaign], PageAnswer]


async def board_call(request: web.Request) -> Call | web.Response:
    """The call checked as the form's are; a board link only (or none: the private menu)."""
    try:
        call = await open_call(request, msg("command.denied", command="board"))
    except PageRefused as err:
        return refusal_response(request, err.status, err.reason)
    if call.link is not None and call.link.page != BOARD_PAGE:
        return refusal_response(request, 403, msg("app.refused.link_forged"), call.caller.language)
    return call


def for_staff(body: Body) -> Callable[[Turn], PageAnswer]:
    """The body, run only for the people /board is for (the chat's rule), with a campaign."""

    def checked(turn: Turn) -> PageAnswer:
        if not may(turn.actor, "board"):
            return refused_here(turn, 403, msg("command.denied", command="board"))
        if turn.campaign is None:
            return refused_here(turn, 403, msg("bind.no_campaign"))
        return body(turn, turn.campaign)

    return checked


async def json_call(request: web.Request, body: Body) -> web.Response:
    """A board call answered with JSON: its body in one turn, for those /board is for."""
    call = await board_call(request)
    if isinstance(call, web.Response):
        return call
    return await in_turn(request, call, for_staff(body))


async def json_write(
    request: web.Request, body: Callable[[Turn, Campaign, dict[str, object]], PageAnswer]
) -> web.Response:
    """A board write: its JSON object read (refused if too large or not an object), then the
    body in one turn for those /board is for, once per action id."""
    call = await board_call(request)
    if isinstance(call, web.Response):
        return call
    try:
        given = await json_body(request)
    except PageRefused as err:
        return refusal_response(request, err.status, err.reason, call.caller.language)
    return await in_turn(request, call, for_staff(lambda turn, camp: body(turn, camp, given)))


def item_of(turn: Turn, raw: str) -> LedgerItem | PageAnswer:
    """A problem by its row id (supervisors and admins see every unit's), or a 404."""
    item = item_by_id(turn.session, int(raw)) if raw.isdigit() else None
    if item is None:
        return refused_here(turn, 404, msg("ledger.unknown", code=raw))
    return item
