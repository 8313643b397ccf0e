"""People, their roles, and the roster (联络员名单)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, func, select

from storage.audit import Stamp, record, snapshot
from storage.models import Person, RoleGrant, Unit, saved_id
from storage.unique_inserts import Taken, insert_once
from workflows.json_types import JSONValue
from workflows.people.roles import Actor, Role


def touch_person(
    session: Session,
    *,
    user_id: int,
    username: str | None,
    display_name: str,
    stamp: Stamp,
    known: Person | None = None,
) -> Person:
    """The person behind an update (`known`, if read already), created on first sight; their
    Telegram names kept fresh."""
    person = known or person_by_user(session, user_id)
    if person is None:  # first sight (or named by an admin before they ever wrote): save now
        fresh = Person(
            user_id=user_id, username=username, display_name=display_name, created_at=stamp.at
        )
        try:
            insert_once(session, fresh)
            person = fresh
        except Taken:  # the same person's update in another chat, at the same moment, was first
            person = person_by_user(session, user_id)
            if person is None:
                raise

    if person.username != username or person.display_name != display_name:
        person.username, person.display_name = username, display_name
        session.add(person)
        session.flush()
    return person


def person_by_user(session: Session, user_id: int) -> Person | None:
    """The person with that Telegram user id."""
    return session.exec(select(Person).where(Person.user_id == user_id)).first()


def person_exists(session: Session, user_id: int) -> bool:
    """Whether a person with that Telegram user id was written down (their id read alone)."""
    return session.exec(select(Person.id).where(Person.user_id == user_id)).first() is not None


def person_by_username(session: Session, username: str) -> Person | None:
    """The person last seen with that @username (case-insensitive, as Telegram's are)."""
    # Telegram usernames are ASCII, where lower() agrees on every database
    name = username.lstrip("@").lower()
    return session.exec(select(Person).where(func.lower(Person.username) == name)).first()


def actor_of(
    session: Session, user_id: int, admin_ids: Iterable[int] = (), person: Person | None = None
) -> Actor:
    """The person's roles and units; ids from TAIZHANG_ADMIN_IDS are always admins."""
    person = person or person_by_user(session, user_id)
    grants = (
        session.exec(select(RoleGrant).where(RoleGrant.person_id == person.id))
        if person is not None
        else ()
    )
    return actor_from(user_id, grants, admin_ids)


def actor_from(user_id: int, grants: Iterable[RoleGrant], admin_ids: Iterable[int]) -> Actor:
    """The roles and units these grants give; ids from TAIZHANG_ADMIN_IDS are always admins."""
    roles: set[Role] = {Role.ADMIN} if user_id in set(admin_ids) else set()
    units: set[int] = set()
    for grant in grants:
        roles.add(Role(grant.role))
        if grant.role == Role.LIAISON and grant.unit_id is not None:
            units.add(grant.unit_id)
    return Actor(user_id, frozenset(roles), frozenset(units))


def grants_of(session: Session, person: Person) -> list[RoleGrant]:
    """The person's role grants."""
    return list(session.exec(select(RoleGrant).where(RoleGrant.person_id == person.id)))


def set_role(
    session: Session, person: Person, role: Role | None, unit_id: int | None, stamp: Stamp
) -> None:
    """Give the person exactly this role (None: no role at all)."""
    before: list[JSONValue] = [snapshot(g) for g in grants_of(session, person)]
    for grant in grants_of(session, person):
        session.delete(grant)
    session.flush()
    after: list[JSONValue] = []
    if role is not None:
        grant = RoleGrant(
            person_id=saved_id(person),
            role=role.value,
            unit_id=unit_id,
            granted_by=stamp.user_id,
            granted_at=stamp.at,
        )
        session.add(grant)
        session.flush()
        after.append(snapshot(grant))
    record(session, stamp, "role.set", "person", person.id, {"grants": before}, {"grants": after})


def register_liaison(
    session: Session,
    person: Person,
    *,
    name: str,
    position: str,
    phone: str,
    unit_id: int,
    stamp: Stamp,
) -> None:
    """Put the person on the unit's roster as its liaison; other roles they hold stay."""
    before = snapshot(person)
    person.name, person.position, person.phone = name, position, phone
    person.registered_at = stamp.at
    session.add(person)
    for grant in grants_of(session, person):
        if grant.role == Role.LIAISON:
            session.delete(grant)
    session.flush()
    session.add(
        RoleGrant(
            person_id=saved_id(person),
            role=Role.LIAISON.value,
            unit_id=unit_id,
            granted_by=stamp.user_id,
            granted_at=stamp.at,
        )
    )
    record(
        session,
        stamp,
        "roster.register",
        "person",
        person.id,
        before,
        {**(snapshot(person) or {}), "unit_id": unit_id},
    )


def set_language(session: Session, person: Person, lang: str, stamp: Stamp) -> None:
    """The person's language for private chats."""
    before = snapshot(person)
    person.lang = lang
    session.add(person)
    record(session, stamp, "person.lang", "person", person.id, before, snapshot(person))


def roster(
    session: Session, campaign_id: int, unit_id: int | None = None
) -> list[tuple[Unit, Person]]:
    """Registered liaisons by unit, in the campaign's unit order."""
    stmt = (
        select(Unit, Person)
        .join(RoleGrant, col(RoleGrant.unit_id) == col(Unit.id))
        .join(Person, col(Person.id) == col(RoleGrant.person_id))
        .where(Unit.campaign_id == campaign_id, RoleGrant.role == Role.LIAISON.value)
        .order_by(col(Unit.position), col(Person.registered_at), col(RoleGrant.id))
    )
    if unit_id is not None:
        stmt = stmt.where(Unit.id == unit_id)
    return [(u, p) for u, p in session.exec(stmt)]
