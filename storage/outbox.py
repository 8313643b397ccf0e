"""The outbox: a message stays until Telegram accepted it or it failed for good."""

from __future__ import annotations

import os
import socket
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import true
from sqlmodel import Session, col, select

from storage.models import OutboxMessage

LEASE = timedelta(seconds=60)  # a claim not settled by then (the process died) is retried
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def claim(
    session: Session,
    now: datetime,
    limit: int = 30,
    *,
    hold: timedelta = LEASE,
    skip_chats: Collection[int] = (),
) -> list[OutboxMessage]:
    """Take up to `limit` due messages for sending; another process skips the ones taken.

    A claim is held for `hold`: if this process dies before settling it, another one sends
    the message after that.
    """
    stmt = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_(("pending", "sending")), OutboxMessage.not_before <= now
        )
        .where(col(OutboxMessage.chat_id).not_in(list(skip_chats)) if skip_chats else true())
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.exec(stmt))
    for row in rows:
        row.status, row.not_before, row.attempts = "sending", now + hold, row.attempts + 1
        row.claimed_by = WORKER
        session.add(row)
    return rows


def mark_sent(session: Session, message_id: int, telegram_id: int, now: datetime) -> None:
    """Telegram accepted it."""
    row = session.get(OutboxMessage, message_id)
    if row is not None:
        row.status, row.sent_at, row.telegram_message_id = "sent", now, telegram_id
        session.add(row)


def mark_retry(session: Session, message_id: int, at: datetime, error: str) -> None:
    """Try again at `at` (a 429's retry_after, or a back-off after a network error)."""
    row = session.get(OutboxMessage, message_id)
    if row is not None:
        row.status, row.not_before, row.last_error = "pending", at, error[:500]
        session.add(row)


def mark_failed(session: Session, message_id: int, error: str) -> None:
    """It cannot be delivered (the bot was removed, the chat is gone)."""
    row = session.get(OutboxMessage, message_id)
    if row is not None:
        row.status, row.last_error = "failed", error[:500]
        session.add(row)


def release(session: Session, message_ids: list[int]) -> None:
    """Give claimed messages back, untried: their chat has no budget now. They keep their
    place (time and id), so a chat's messages still leave in the order they were planned."""
    for message_id in message_ids:
        row = session.get(OutboxMessage, message_id)
        if row is not None and row.status == "sending":
            row.status, row.not_before = "pending", row.created_at
            row.attempts = max(row.attempts - 1, 0)  # waiting for a slot is no failed attempt
            session.add(row)


def note_error(session: Session, message_id: int, error: str) -> None:
    """Keep the last error of a message that stays pending."""
    row = session.get(OutboxMessage, message_id)
    if row is not None:
        row.last_error = error[:500]
        session.add(row)
