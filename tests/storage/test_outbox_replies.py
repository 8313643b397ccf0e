"""Replies in the outbox: claimed by their turn when their chat is clear, else behind the
earlier ones; a chat's replies leave in order, before its notices, one process at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage

NOW = datetime(2024, 5, 13, 2, 0, tzinfo=UTC)
GROUP, OTHER = -1001, -1002
HOLD = timedelta(seconds=60)


def _reply(chat_id: int, text: str) -> outbox.NewReply:
    return outbox.NewReply(chat_id, text)


def _notice(chat_id: int, text: str, at: datetime) -> OutboxMessage:
    return OutboxMessage(chat_id=chat_id, text=text, not_before=at, created_at=at)


def _store(db: Database, *rows: outbox.NewReply, at: datetime = NOW) -> tuple[bool, list[int]]:
    with db.unit_of_work() as s:
        kept = outbox.store_replies(s, rows, at, hold=HOLD)
        return kept.claimed, kept.ids


def _claim(db: Database, at: datetime, **kw: object) -> list[str]:
    with db.unit_of_work() as s:
        return [r.text for r in outbox.claim(s, at, hold=HOLD, **kw)]  # type: ignore[arg-type]


def _sent(db: Database, ids: list[int]) -> None:
    with db.unit_of_work() as s:
        for n, row_id in enumerate(ids):
            outbox.mark_sent(s, row_id, 100 + n, NOW)


def test_a_turns_replies_are_claimed_at_once_when_nothing_of_their_chat_waits(
    db: Database,
) -> None:
    claimed, first = _store(db, _reply(GROUP, "已保存"), _reply(GROUP, "第2项"))
    assert claimed  # the turn sends them as soon as it commits
    later, second = _store(db, _reply(GROUP, "第3项"), at=NOW + timedelta(seconds=1))
    assert not later  # behind the first turn's, still unsent
    # nobody else takes the first turn's while its claim holds, nor the second's behind them
    assert _claim(db, NOW + timedelta(seconds=2)) == []
    _sent(db, first)
    assert _claim(db, NOW + timedelta(seconds=2)) == ["第3项"]
    _sent(db, second)
    with db.unit_of_work() as s:
        assert outbox.unsent_replies(s, [GROUP]) == {}


def test_a_chats_replies_go_in_order_and_before_its_notices(db: Database) -> None:
    with db.unit_of_work() as s:
        s.add(_notice(GROUP, "⏰ 提醒", NOW - timedelta(minutes=5)))
        s.add(_notice(OTHER, "⏰ 别群提醒", NOW - timedelta(minutes=5)))
    _, first = _store(db, _reply(GROUP, "回复1"))
    _, second = _store(db, _reply(GROUP, "回复2"), at=NOW + timedelta(seconds=1))
    with db.unit_of_work() as s:  # the first turn's reply found no budget: it waits, untried
        outbox.release(s, first)
    later = NOW + timedelta(seconds=5)
    # another chat's notice may go; this chat's first reply and the second, and its notice
    # once they are sent
    assert _claim(db, later) == ["回复1", "回复2", "⏰ 别群提醒"]
    assert _claim(db, later) == []
    _sent(db, [*first, *second])
    assert _claim(db, later) == ["⏰ 提醒"]


def test_a_reply_waiting_behind_one_being_sent_elsewhere_is_not_taken(db: Database) -> None:
    with db.unit_of_work() as s:
        s.add(_notice(GROUP, "⏰ 提醒", NOW - timedelta(minutes=5)))
    _store(db, _reply(GROUP, "回复1"))  # claimed by the turn's process
    _store(db, _reply(GROUP, "回复2"), at=NOW + timedelta(seconds=1))
    soon = NOW + timedelta(seconds=5)
    assert _claim(db, soon) == []  # neither the second reply nor the chat's notice
    assert _claim(db, soon, chats=[GROUP], replies_only=True) == []
    # the turn's process died: once its claim runs out, the chat's replies go on in order
    assert _claim(db, NOW + HOLD + timedelta(seconds=1)) == ["回复1", "回复2"]
