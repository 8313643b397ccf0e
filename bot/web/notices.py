"""The board's 已阅情况: the last notices and circulars, each with the units that read it (who,
when) and those that have not (since when) — the same lines `/notice` says in the chat."""

from __future__ import annotations

from aiohttp import web

from bot.telegram.turn import Turn
from bot.web.calls import Answer, page_text
from bot.web.staff import json_call
from storage import campaigns
from storage import notices as stored
from storage.models import Campaign, saved_id
from workflows.notices import RECENT, status_lines

SHOWN = 5  # notices on the board; older ones are in /notice's history no longer than RECENT


async def show_reads(request: web.Request) -> web.Response:
    """GET: the last notices with their read and unread units."""

    def body(turn: Turn, camp: Campaign) -> Answer:
        names = {saved_id(u): u.name for u in campaigns.units_of(turn.session, saved_id(camp))}
        recent = stored.recent_notices(
            turn.session, saved_id(camp), since=turn.stamp.at - RECENT, limit=SHOWN
        )
        notices = []
        for row, state in recent:
            head, *lines = status_lines(state, names, kind=row.kind)
            notices.append(
                {
                    "id": state.notice_id,
                    "kind": row.kind,
                    "head": page_text(turn, head),
                    "read": len(state.read),
                    "total": len(state.units),
                    "units": [
                        {"read": unit in state.read, "text": page_text(turn, line)}
                        for unit, line in zip(state.units, lines, strict=True)
                    ],
                }
            )
        return Answer(200, {"notices": notices})

    return await json_call(request, body)


ROUTES = (("GET", "api/board/notices", show_reads),)
