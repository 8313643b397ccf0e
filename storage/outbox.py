"""The outbox: a message stays until Telegram accepted it or it failed for good.

Two kinds share it: notices the planner planned, and replies to people, stored by the turn
that answers them. A chat's replies leave before its notices and in the order of their turns:
a reply is claimed only with every earlier unsent reply of its chat, by one process at a time.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import bindparam, case, insert, true, update
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col, select

from storage.models import OutboxMessage
from workflows.json_types import JSONObject

LEASE = timedelta(seconds=60)  # a claim not settled by then (the process died) is retried
WORKER = f"{socket.gethostname()}:{os.getpid()}"
REPLY, NOTICE = "reply", "notice"  # OutboxMessage.kind
UNSENT = ("pending", "sending")


def claim(
    session: Session,
    now: datetime,
    limit: int = 30,
    *,
    hold: timedelta = LEASE,
    skip_chats: Collection[int] = (),
    chats: Collection[int] | None = None,
    replies_only: bool = False,
) -> list[OutboxMessage]:
    """Take up to `limit` due messages for sending, replies first; another process skips the
    ones taken. Only `chats`, and only replies, when asked.

    A claim is held for `hold`: if this process dies before settling it, another one sends
    the message after that. A chat whose earlier replies are not all taken here (another
    process sends them, or they wait) gives nothing: its messages keep their order.
    """
    stmt = (
        select(OutboxMessage)
        .where(col(OutboxMessage.status).in_(UNSENT), OutboxMessage.not_before <= now)
        .where(col(OutboxMessage.chat_id).not_in(list(skip_chats)) if skip_chats else true())
        .where(col(OutboxMessage.chat_id).in_(list(chats)) if chats is not None else true())
        .where(OutboxMessage.kind == REPLY if replies_only else true())
        .order_by(
            case((col(OutboxMessage.kind) == REPLY, 0), else_=1),
            col(OutboxMessage.not_before),
            col(OutboxMessage.id),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = _in_order(session, list(session.exec(stmt)))
    for row in rows:
        row.status, row.not_before, row.attempts = "sending", now + hold, row.attempts + 1
        row.claimed_by = WORKER
        session.add(row)
    return rows


def _in_order(session: Session, rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """Of the rows locked, those that keep each chat's order: a chat's replies from its
    earliest unsent one on, without a gap; its notices once no reply of it is unsent (a
    notice is checked once more when claimed, `storage/reminders_owed.py`: it is sent right
    after)."""
    if not rows:
        return rows
    unsent = unsent_replies(session, {r.chat_id for r in rows})
    taken: list[OutboxMessage] = []
    for chat_id in dict.fromkeys(r.chat_id for r in rows):
        mine = [r for r in rows if r.chat_id == chat_id]
        replies = sorted((r for r in mine if r.kind == REPLY), key=lambda r: r.id or 0)
        waiting = unsent.get(chat_id, [])
        head = 0
        while head < len(replies) and head < len(waiting) and replies[head].id == waiting[head]:
            head += 1
        taken += replies[:head]
        if not waiting:  # the chat's replies all sent: its notices may go
            taken += [r for r in mine if r.kind != REPLY]
    return taken


def unsent_replies(session: Session, chat_ids: Collection[int]) -> dict[int, list[int]]:
    """The ids of each chat's replies not yet sent (waiting, or being sent), oldest first."""
    stmt = (
        select(OutboxMessage.chat_id, OutboxMessage.id)
        .where(col(OutboxMessage.chat_id).in_(list(chat_ids)))
        .where(col(OutboxMessage.status).in_(UNSENT), OutboxMessage.kind == REPLY)
        .order_by(col(OutboxMessage.id))
    )
    found: dict[int, list[int]] = {}
    for chat_id, row_id in session.exec(stmt):
        if row_id is not None:
            found.setdefault(chat_id, []).append(row_id)
    return found


@dataclass(frozen=True)
class NewReply:
    """A turn's reply, rendered, to keep in the outbox (`render.Outgoing`)."""

    chat_id: int
    text: str
    reply_markup: JSONObject | None = None
    reply: JSONObject | None = None  # its particulars: the message it answers, edits, …


@dataclass(frozen=True)
class KeptReplies:
    """A turn's replies as the outbox keeps them: their ids, in order, and whether the turn
    claimed them (to be sent as soon as it commits) or they wait behind earlier ones."""

    ids: list[int]
    claimed: bool

    @property
    def attempts(self) -> int:
        """The attempts they count: a claim is the first."""
        return 1 if self.claimed else 0


# Run by every turn that answers: built once, only the values bound each time (building the
# statements cost more than running them on SQLite). SQLAlchemy's select: SQLModel's returns
# its own scalar select, which the connection's `execute` does not take.
_WAITING = (
    sa.select(col(OutboxMessage.id))
    .where(
        col(OutboxMessage.chat_id).in_(bindparam("chats", expanding=True)),
        col(OutboxMessage.status).in_(UNSENT),
        col(OutboxMessage.kind) == REPLY,
    )
    .limit(1)
)
_KEEP: ReturningInsert[int] = insert(OutboxMessage).returning(
    col(OutboxMessage.id), sort_by_parameter_order=True
)


def store_replies(
    session: Session, replies: Sequence[NewReply], now: datetime, *, hold: timedelta = LEASE
) -> KeptReplies:
    """Keep a turn's replies in its unit of work, in order. When no earlier reply of their
    chats is unsent they are claimed for this process at once, to be sent as soon as the
    turn commits; else they wait behind the earlier ones."""
    session.flush()  # what the turn changed goes first, as the ORM's autoflush did
    chats = sorted({r.chat_id for r in replies})
    conn = session.connection()
    free = conn.execute(_WAITING, {"chats": chats}).first() is None
    # made here (claimed, or not yet): whoever takes it says so in `claimed_by`
    status, not_before, attempts = ("sending", now + hold, 1) if free else ("pending", now, 0)
    values = [
        {
            "chat_id": r.chat_id,
            "text": r.text,
            "reply_markup": r.reply_markup,
            "reply": r.reply,
            "kind": REPLY,
            "status": status,
            "attempts": attempts,
            "not_before": not_before,
            "created_at": now,
            "claimed_by": WORKER,
            "last_error": "",
        }
        for r in replies
    ]
    # each is settled by its id once Telegram answers
    ids = [row_id for (row_id,) in conn.execute(_KEEP, values)]
    return KeptReplies(ids, free)


# one statement, built once, not a read and the ORM's flush: this follows every message sent
_SENT = update(OutboxMessage).where(col(OutboxMessage.id) == bindparam("message_id"))


def mark_sent(session: Session, message_id: int, telegram_id: int, now: datetime) -> None:
    """Telegram accepted it."""
    sent = {"status": "sent", "sent_at": now, "telegram_message_id": telegram_id}
    session.connection().execute(_SENT, {"message_id": message_id, **sent})


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
