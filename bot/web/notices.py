"""The board's 已阅情况: the last notices and circulars, each with the units that read it (who,
when) and those that have not (since when) — the same lines `/notice` says in the chat."""

from __future__ import annotations

from aiohttp import web

from bot.delivery.acts import acting
from bot.telegram.feature import PageRoute
from bot.telegram.turn import Turn
from bot.usecases.notices import notice_reads, send_notice
from bot.web.calls import PageAnswer, page_text, refused_here
from bot.web.staff import json_call, json_write
from storage.models import Campaign
from workflows.documents.notices import NOTICE_TEXT_LIMIT
from workflows.messages import msg

BOARD_NOTICES = 5  # notices on the board; older ones are in /notice's history no longer than RECENT


async def show_reads(request: web.Request) -> web.Response:
    """GET: the last notices with their read and unread units."""

    def body(turn: Turn, camp: Campaign) -> PageAnswer:
        notices = []
        for read in notice_reads(turn.session, camp, turn.stamp.at, BOARD_NOTICES):
            state = read.state
            head, *lines = read.lines
            notices.append(
                {
                    "id": state.notice_id,
                    "kind": read.notice.kind,
                    "head": page_text(turn, head),
                    "read": len(state.read),
                    "total": len(state.units),
                    "units": [
                        {"read": unit in state.read, "text": page_text(turn, line)}
                        for unit, line in zip(state.units, lines, strict=True)
                    ],
                }
            )
        return PageAnswer(200, {"notices": notices})

    return await json_call(request, body)


def _send(turn: Turn, camp: Campaign, given: dict[str, object]) -> PageAnswer:
    """{text}: a notice to every unit's group, as the chat's /notice sends it."""
    raw = given.get("text")
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > NOTICE_TEXT_LIMIT:
        return refused_here(turn, 400, msg("notices.text_needed", limit=NOTICE_TEXT_LIMIT))
    with acting(turn) as act:
        count = send_notice(act, camp, text)
    if count is None:
        return refused_here(turn, 409, msg("notices.no_groups"))
    return PageAnswer(
        200, {"done": True, "sent": page_text(turn, msg("notices.sent", count=count))}
    )


async def send(request: web.Request) -> web.Response:
    """POST {text}: a notice from the board, once per action id (a tap and its retries)."""
    return await json_write(request, _send)


ROUTES: tuple[PageRoute, ...] = (
    PageRoute("GET", "api/board/notices", show_reads),
    PageRoute("POST", "api/board/notices", send),
)
