"""Chats the bot is in, and the binding of group chats to units."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage import sightings
from storage.audit import Stamp, record, snapshot
from storage.models import Chat, Person
from storage.unique_inserts import Taken, insert_once


def ensure_chat(
    session: Session, *, chat_id: int, kind: str, title: str, known: Chat | None = None
) -> Chat:
    """The chat row (`known`, if read already), created on first sight; its title kept fresh."""
    chat = known or session.exec(select(Chat).where(Chat.chat_id == chat_id)).first()
    if chat is None:
        fresh = Chat(chat_id=chat_id, kind=kind, title=title)
        try:
            insert_once(session, fresh)
            return fresh
        except Taken:  # another update of this chat, at the same moment, saw it first
            chat = session.exec(select(Chat).where(Chat.chat_id == chat_id)).first()
            if chat is None:
                raise
    if chat.title != title or chat.kind != kind:
        chat.title, chat.kind = title, kind
        session.add(chat)
    return chat


def chats_of_unit(session: Session, unit_id: int) -> list[Chat]:
    """The group chats bound to a unit."""
    return list(session.exec(select(Chat).where(Chat.unit_id == unit_id)))


def bind(session: Session, chat: Chat, unit_id: int, stamp: Stamp) -> None:
    """Make the group the unit's group."""
    before = snapshot(chat)
    chat.unit_id, chat.supervisors = unit_id, False
    chat.bound_by, chat.bound_at = stamp.user_id, stamp.at
    session.add(chat)
    record(session, stamp, "chat.bind", "chat", chat.id, before, snapshot(chat))


def bind_supervisors(session: Session, chat: Chat, stamp: Stamp) -> None:
    """Make the group the supervisors' group (专班): escalations go there too."""
    before = snapshot(chat)
    chat.unit_id, chat.supervisors = None, True
    chat.bound_by, chat.bound_at = stamp.user_id, stamp.at
    session.add(chat)
    record(session, stamp, "chat.bind_supervisors", "chat", chat.id, before, snapshot(chat))


def mark_waiting_notice(session: Session, chat: Chat) -> None:
    """Remember that the group was told it waits to be bound (so it is told once)."""
    chat.waiting_notice_sent = True
    session.add(chat)


def set_chat_language(session: Session, chat: Chat, lang: str, stamp: Stamp) -> None:
    """The language the bot uses in this chat."""
    before = snapshot(chat)
    chat.lang = lang
    session.add(chat)
    record(session, stamp, "chat.lang", "chat", chat.id, before, snapshot(chat))


def migrate_chat(session: Session, old_chat_id: int, new_chat_id: int) -> None:
    """A group upgraded to a supergroup: its row, binding and language follow the new id."""
    old = session.exec(select(Chat).where(Chat.chat_id == old_chat_id)).first()
    if old is None or session.exec(select(Chat).where(Chat.chat_id == new_chat_id)).first():
        return
    old.chat_id, old.kind = new_chat_id, "supergroup"
    session.add(old)
    sightings.migrate_sightings(session, old_chat_id, new_chat_id)


def chat_by_id(session: Session, chat_id: int) -> Chat | None:
    """The chat row for a Telegram chat id."""
    return session.exec(select(Chat).where(Chat.chat_id == chat_id)).first()


def languages(session: Session, chat_ids: set[int]) -> dict[int, str | None]:
    """Each chat's language: the group's own, or in private the person's."""
    out: dict[int, str | None] = {}
    ids = list(chat_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        out.update(
            {
                c: lang
                for c, lang in session.exec(
                    select(Chat.chat_id, Chat.lang).where(col(Chat.chat_id).in_(chunk))
                )
            }
        )
        for user_id, lang in session.exec(
            select(Person.user_id, Person.lang).where(col(Person.user_id).in_(chunk))
        ):
            out[user_id] = out.get(user_id) or lang
    return out
