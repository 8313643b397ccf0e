"""Weekly drafts that would block forever: closed when their week is over, taken over after
half an hour without a step. Whatever was typed stays in the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import drafts, people
from storage.audit import Stamp
from storage.models import FormDraft, Person
from workflows import keys
from workflows.forms.contexts import WeeklyContext, context_of
from workflows.forms.engine import Draft
from workflows.messages import Msg, msg
from workflows.planner import Planned
from workflows.week.weekly import TAKE_OVER_AFTER, week_over


def _owner(session: Session, row: FormDraft) -> str:
    who = people.person_by_user(session, row.user_id)
    return (who.name or who.display_name) if who else str(row.user_id)


def _close(session: Session, row: FormDraft, stamp: Stamp, action: str, word: Msg) -> Planned:
    """Close a weekly draft: its values into the audit trail under `action`; `word` to its
    owner, to be put in the outbox."""
    key = keys.draft_closed(row.user_id, row.chat_id, row.created_at, action)
    drafts.close_draft(session, row, stamp, action)
    return Planned(key, action, row.chat_id, word, stamp.at)


def expire(session: Session, row: FormDraft, stamp: Stamp) -> Planned:
    """Close a weekly draft whose week is over; its owner is told which report it was."""
    ctx = context_of(Draft.from_json(row.state), WeeklyContext)
    word = msg(
        "weekly.draft_expired",
        who=_owner(session, row),
        unit=ctx.get("unit", ""),
        name=ctx.get("report_name", ""),
        due=datetime.fromisoformat(ctx["due"]),
    )
    return _close(session, row, stamp, "draft.expired", word)


def take_over(session: Session, row: FormDraft, stamp: Stamp, by: Person) -> Planned:
    """Close another liaison's idle weekly draft for `by`, who starts the week afresh."""
    ctx = context_of(Draft.from_json(row.state), WeeklyContext)
    word = msg(
        "weekly.draft_taken_over",
        who=_owner(session, row),
        by=by.name or by.display_name,
        unit=ctx.get("unit", ""),
        minutes=int(TAKE_OVER_AFTER.total_seconds() // 60),
    )
    return _close(session, row, stamp, "draft.taken_over", word)


def sweep(session: Session, now: datetime) -> list[Planned]:
    """Close every idle weekly draft whose week is over; what to tell each owner."""
    return [
        expire(session, row, Stamp(now))
        for row in drafts.idle_weekly_drafts(session, now - TAKE_OVER_AFTER)
        if week_over(Draft.from_json(row.state).context, now)
    ]
