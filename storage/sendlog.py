"""The send log: each chat's sends of the last minutes, so a restart keeps Telegram's budget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from storage.models import SendLog

SENDS_KEPT = timedelta(minutes=3)  # longer than any window the limiter keeps


def log_sends(session: Session, sent: Sequence[tuple[int, float]]) -> None:
    """Add (chat, wall-clock time) pairs and forget what is older than any window."""
    if not sent:
        return
    # one statement for the batch, no ORM rows: a row for every message the bot sends
    rows = [
        {"chat_id": chat_id, "sent_at": datetime.fromtimestamp(at, UTC)} for chat_id, at in sent
    ]
    session.connection().execute(insert(SendLog), rows)
    newest = datetime.fromtimestamp(max(at for _, at in sent), UTC)
    session.execute(delete(SendLog).where(col(SendLog.sent_at) < newest - SENDS_KEPT))


def recent(session: Session, now: datetime, span: timedelta) -> list[tuple[int, float]]:
    """(chat, wall-clock time) of the sends within `span` before `now`, oldest first."""
    stmt = (
        select(SendLog.chat_id, SendLog.sent_at)
        .where(col(SendLog.sent_at) > now - span)
        .order_by(col(SendLog.sent_at))
    )
    return [(chat_id, at.timestamp()) for chat_id, at in session.exec(stmt)]
