"""Weekly drafts that would block forever: closed when their week is over, taken over after
half an hour without a step. Whatever was typed stays in the audit trail."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.delivery.outbox import enqueue
from bot.telegram.turn import Services
from storage import audit, drafts, people
from storage.audit import Stamp
from storage.models import FormDraft, Person
from workflows.forms import Draft
from workflows.messages import Msg, msg
from workflows.planner import Planned
from workflows.weekly import TAKE_OVER_AFTER, week_over


def _owner(session: Session, row: FormDraft) -> str:
    who = people.person_by_user(session, row.user_id)
    return (who.name or who.display_name) if who else str(row.user_id)


def close(
    services: Services, session: Session, row: FormDraft, stamp: Stamp, tz: ZoneInfo, word: Msg
) -> None:
    """Close a weekly draft: its values into the audit trail, a word to its owner."""
    action = "draft.taken_over" if word.id == "weekly.draft_taken_over" else "draft.expired"
    audit.record(session, stamp, action, "formdraft", row.id, audit.snapshot(row), None)
    key = f"draft:{row.user_id}:{row.chat_id}:{row.created_at.isoformat()}:{action}"
    planned = Planned(key, action, row.chat_id, word, stamp.at)
    session.delete(row)
    session.flush()
    enqueue(services, session, [planned], tz, stamp.at)


def expired_word(session: Session, row: FormDraft) -> Msg:
    """What the owner of a weekly draft whose week is over is told."""
    ctx = Draft.from_json(row.state).context
    return msg(
        "weekly.draft_expired",
        who=_owner(session, row),
        unit=ctx.get("unit", ""),
        name=ctx.get("report_name", ""),
        due=datetime.fromisoformat(ctx["due"]),
    )


def taken_over_word(session: Session, row: FormDraft, by: Person) -> Msg:
    """What the owner of an idle weekly draft is told when another liaison takes over."""
    ctx = Draft.from_json(row.state).context
    return msg(
        "weekly.draft_taken_over",
        who=_owner(session, row),
        by=by.name or by.display_name,
        unit=ctx.get("unit", ""),
        minutes=int(TAKE_OVER_AFTER.total_seconds() // 60),
    )


def sweep(services: Services, session: Session, now: datetime, tz: ZoneInfo) -> int:
    """Close every idle weekly draft whose week is over; returns how many."""
    closed = 0
    for row in drafts.idle_weekly_drafts(session, now - TAKE_OVER_AFTER):
        if week_over(Draft.from_json(row.state).context, now):
            close(services, session, row, Stamp(now), tz, expired_word(session, row))
            closed += 1
    return closed
