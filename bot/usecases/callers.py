"""Who calls a Mini App page, read before and in its turn: whether the bot knows the person,
the chat a signed link acts in, the unit it names."""

from __future__ import annotations

from sqlmodel import Session

from storage import chats, people
from storage.models import Chat, Unit


def is_known(session: Session, user_id: int) -> bool:
    """Whether the person has written to the bot (or been named by an admin) before."""
    return people.person_exists(session, user_id)


def chat_of(session: Session, chat_id: int) -> Chat | None:
    """The chat a link acts in, as the bot has seen it (None: never)."""
    return chats.chat_by_id(session, chat_id)


def unit_by_id(session: Session, unit_id: int) -> Unit | None:
    """The unit a link names (None if it is gone)."""
    return session.get(Unit, unit_id)
