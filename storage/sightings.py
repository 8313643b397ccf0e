"""Who the bot has seen in each group chat (`Sighting`): written by a turn in a group the first
time its speaker is seen there, by members added, and forgotten when they leave.

With privacy mode on, Telegram tells a bot nothing of a group's members but what it sees:
commands, replies to it, button presses and service messages (joined, left). It is enough to
know that a supervisor reads the supervisors' group (`workflows/supervision/audience.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import Chat, Sighting
from storage.unique_inserts import insert_skipping


def saw(session: Session, chat_id: int, user_ids: Iterable[int], at: datetime) -> None:
    """These people are in the group: recorded once each (those known already are skipped)."""
    _insert(session, [{"chat_id": chat_id, "user_id": u, "seen_at": at} for u in set(user_ids)])


def left(session: Session, chat_id: int, user_id: int) -> None:
    """A person left the group, or was removed from it."""
    session.connection().execute(
        delete(Sighting).where(col(Sighting.chat_id) == chat_id, col(Sighting.user_id) == user_id)
    )


def forget_chat(session: Session, chat_id: int) -> None:
    """The bot can no longer write in the chat: nobody is counted as hearing there."""
    session.connection().execute(delete(Sighting).where(col(Sighting.chat_id) == chat_id))


def migrate_sightings(session: Session, old_chat_id: int, new_chat_id: int) -> None:
    """A group upgraded to a supergroup: who was seen there is in the new one (with those seen
    in the new one already)."""
    seen = select(Sighting.user_id, Sighting.seen_at).where(col(Sighting.chat_id) == old_chat_id)
    _insert(
        session,
        [{"chat_id": new_chat_id, "user_id": u, "seen_at": at} for u, at in session.exec(seen)],
    )
    forget_chat(session, old_chat_id)


def in_supervisors_groups(session: Session) -> list[tuple[int, int]]:
    """(group, person) for everyone seen in a group bound as the supervisors' group."""
    stmt = select(Sighting.chat_id, Sighting.user_id).join(
        Chat, col(Chat.chat_id) == col(Sighting.chat_id)
    )
    return list(session.exec(stmt.where(col(Chat.supervisors).is_(True))))


def _insert(session: Session, rows: list[dict[str, int | datetime]]) -> None:
    """Insert sightings, skipping those known already."""
    if rows:
        session.connection().execute(insert_skipping(session, Sighting, "chat_id", "user_id"), rows)
