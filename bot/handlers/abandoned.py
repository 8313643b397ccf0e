"""Weekly drafts that would block forever: closed when their week is over, taken over after
half an hour without a step. Whatever was typed stays in the audit trail."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.delivery.outbox import enqueue
from bot.telegram.turn import Services
from storage import drafts, people
from storage.audit import Stamp
from storage.models import FormDraft, Person
from workflows import keys
from workflows.contexts import WeeklyContext, context_of
from workflows.forms import Draft
from workflows.messages import Msg, msg
from workflows.planner import Planned
from workflows.weekly import TAKE_OVER_AFTER, week_over


def _owner(session: Session, row: FormDraft) -> str:
    who = people.person_by_user(session, row.user_id)
    return (who.name or who.display_name) if who else str(row.user_id)


def _close(
    services: Services,
    session: Session,
    row: FormDraft,
    stamp: Stamp,
    tz: ZoneInfo,
    action: str,
    word: Msg,
) -> None:
    """Close a weekly draft: its values into the audit trail under `action`, `word` to its
    owner."""
    key = keys.draft_closed(row.user_id, row.chat_id, row.created_at, action)
    planned = Planned(key, action, row.chat_id, word, stamp.at)
    drafts.close_draft(session, row, stamp, action)
    enqueue(services, session, [planned], tz, stamp.at)


def expire(
    services: Services, session: Session, row: FormDraft, stamp: Stamp, tz: ZoneInfo
) -> None:
    """Close a weekly draft whose week is over; its owner is told which report it was."""
    ctx = context_of(Draft.from_json(row.state), WeeklyContext)
    word = msg(
        "weekly.draft_expired",
        who=_owner(session, row),
        unit=ctx.get("unit", ""),
        name=ctx.get("report_name", ""),
        due=datetime.fromisoformat(ctx["due"]),
    )
    _close(services, session, row, stamp, tz, "draft.expired", word)


def take_over(
    services: Services, session: Session, row: FormDraft, stamp: Stamp, tz: ZoneInfo, by: Person
) -> None:
    """Close another liaison's idle weekly draft for `by`, who starts the week afresh."""
    ctx = context_of(Draft.from_json(row.state), WeeklyContext)
    word = msg(
        "weekly.draft_taken_over",
        who=_owner(session, row),
        by=by.name or by.display_name,
        unit=ctx.get("unit", ""),
        minutes=int(TAKE_OVER_AFTER.total_seconds() // 60),
    )
    _close(services, session, row, stamp, tz, "draft.taken_over", word)


def sweep(services: Services, session: Session, now: datetime, tz: ZoneInfo) -> int:
    """Close every idle weekly draft whose week is over; returns how many."""
    closed = 0
    for row in drafts.idle_weekly_drafts(session, now - TAKE_OVER_AFTER):
        if week_over(Draft.from_json(row.state).context, now):
            expire(services, session, row, Stamp(now), tz)
            closed += 1
    return closed
