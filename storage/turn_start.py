"""What every turn reads first, in one statement: the chat, the speaker, their roles, the
campaign the bot runs, and whether the speaker was seen in this chat before.

A turn needs all four before its handler runs; read one by one they were four round trips
and four ORM queries, most of a short turn's cost. On first sight of a chat or a person the
rows are made by `chats.ensure_chat` and `people.touch_person`, as before, and on first sight
of a person in a group, their `Sighting` by `sightings.saw`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import and_, bindparam, true
from sqlmodel import Session, col

from storage.models import Campaign, Chat, Person, RoleGrant, Sighting


@dataclass(frozen=True)
class Seen:
    """The chat and the person a turn is about, the person's role grants and the campaign."""

    chat: Chat
    person: Person
    grants: tuple[RoleGrant, ...]
    campaign: Campaign | None
    sighted: bool = False  # the person was seen in this chat before (`storage/sightings.py`)


# Read on every update: built once, only the two ids bound each time (building the statement,
# or re-binding a lambda statement's values, cost more than running it). SQLAlchemy's select:
# SQLModel's is typed for at most four columns.
_SEEN = (
    sa.select(Chat, Person, RoleGrant, Campaign, col(Sighting.id))
    .join_from(Person, Chat, and_(col(Chat.chat_id) == bindparam("chat_id"), true()))
    .outerjoin_from(Person, RoleGrant, col(RoleGrant.person_id) == col(Person.id))
    .outerjoin_from(Person, Campaign, col(Campaign.active) == true())
    .outerjoin_from(
        Person,
        Sighting,
        and_(
            col(Sighting.chat_id) == bindparam("chat_id"),
            col(Sighting.user_id) == bindparam("user_id"),
        ),
    )
    .where(col(Person.user_id) == bindparam("user_id"))
)


def seen(session: Session, chat_id: int, user_id: int) -> Seen | None:
    """The chat, the person, their grants and the active campaign most recently loaded; None
    when the chat or the person is not known yet."""
    rows = session.execute(_SEEN, {"chat_id": chat_id, "user_id": user_id}).all()
    if not rows:
        return None
    chat, person, sighted = rows[0][0], rows[0][1], rows[0][4] is not None
    grants = {g.id: g for _, _, g, _, _ in rows if g is not None}
    active = [c for _, _, _, c, _ in rows if c is not None]
    campaign = max(active, key=lambda c: c.updated_at) if active else None
    return Seen(chat, person, tuple(grants.values()), campaign, sighted)
