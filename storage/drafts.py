"""Form drafts, keyed by (chat, user): a flow survives restarts and people do not collide."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import FormDraft
from workflows.forms import Draft

# A draft is read to be changed: it is locked until the unit of work ends, so that the same
# button pressed twice, its two updates handled by two processes at once, is applied once;
# the second waits, then finds the draft moved on (or gone). On SQLite one process runs.


def draft_of(session: Session, chat_id: int, user_id: int) -> FormDraft | None:
    """The person's open draft in this chat, locked for this unit of work."""
    stmt = select(FormDraft).where(FormDraft.chat_id == chat_id, FormDraft.user_id == user_id)
    return session.exec(stmt.with_for_update()).first()


def draft_by_id(session: Session, draft_id: int) -> FormDraft | None:
    """A draft by its row id (button data carries it), locked for this unit of work."""
    return session.get(FormDraft, draft_id, with_for_update=True)


def save_draft(
    session: Session,
    chat_id: int,
    user_id: int,
    draft: Draft,
    *,
    now_at: datetime,
    row: FormDraft | None = None,
) -> FormDraft:
    """Store the draft, replacing the person's previous one in this chat (`row`, if loaded)."""
    row = row or draft_of(session, chat_id, user_id)
    if row is None:
        row = FormDraft(
            chat_id=chat_id, user_id=user_id, flow=draft.flow, created_at=now_at, updated_at=now_at
        )
    row.flow, row.state, row.updated_at = draft.flow, draft.to_json(), now_at
    session.add(row)
    session.flush()
    return row


def drop_draft(session: Session, chat_id: int, user_id: int) -> None:
    """Forget the person's draft in this chat."""
    row = draft_of(session, chat_id, user_id)
    if row is not None:
        session.delete(row)


def chats_in_flow(session: Session, chat_ids: Iterable[int], since: datetime) -> set[int]:
    """Which of these chats have someone in a flow, answered since `since`."""
    wanted = set(chat_ids)
    if not wanted:
        return set()
    stmt = select(FormDraft.chat_id).where(
        col(FormDraft.chat_id).in_(wanted), col(FormDraft.updated_at) >= since
    )
    return set(session.exec(stmt))


def weekly_draft_of(session: Session, user_id: int, unit_id: int) -> FormDraft | None:
    """The person's open weekly update of a unit, in whichever chat they began it."""
    stmt = select(FormDraft).where(FormDraft.flow == "weekly", FormDraft.user_id == user_id)
    for row in session.exec(stmt.with_for_update()):
        if row.state.get("context", {}).get("unit_id") == unit_id:
            return row
    return None


def move_draft(session: Session, row: FormDraft, chat_id: int) -> FormDraft:
    """Carry a draft to another chat of the same person (the group's update, to private)."""
    row.chat_id = chat_id
    session.add(row)
    session.flush()
    return row
