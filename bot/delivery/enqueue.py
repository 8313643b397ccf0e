"""Planned notices put into the outbox in the unit of work that plans them, rendered once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.delivery.notice_rendering import render
from bot.telegram.services import Services
from bot.telegram.turn import Turn
from storage import chats, planning
from workflows.planner import Planned


def enqueue(
    services: Services, session: Session, planned: list[Planned], tz: ZoneInfo, now: datetime
) -> int:
    """Render each notification in its chat's language and put it in the outbox, once."""
    if not planned:
        return 0
    langs = chats.languages(session, {p.chat_id for p in planned})
    default = services.settings.taizhang_locale
    cache: dict[tuple[str, str], planning.Rendered] = {}
    rendered = []
    for p in planned:  # thousands of units share one text: render it once
        lang = langs.get(p.chat_id) or default
        key = (repr((p.message, p.buttons, p.not_before.year)), lang)
        if key not in cache:
            cache[key] = render(services, p, lang, tz)
        done = cache[key]
        rendered.append(planning.Rendered(p, done.text, done.reply_markup, done.live))
    return planning.save_planned(session, rendered, now)


def post(turn: Turn, planned: list[Planned]) -> None:
    """Put what a turn plans to tell others into the outbox, in the turn's unit of work."""
    enqueue(turn.services, turn.session, planned, turn.zone, turn.stamp.at)
