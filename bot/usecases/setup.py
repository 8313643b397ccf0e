"""Setting up a group and its people (admins' work): a group bound to its unit or to the
supervisors (/bind), a person given a role (/role), the language of a chat or a person (/lang).

Each takes the `Act` and what was asked, writes it, and returns what to say back, or
`Refused` with why (nothing written)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.usecases.act import Act
from storage import campaigns, chats, people, sightings
from storage.models import Chat, Person, Unit, saved_id
from workflows.messages import Msg, msg
from workflows.outcome import Refused
from workflows.people.binding import SUPERVISORS
from workflows.people.roles import Role
from workflows.words import LANGUAGE_WORDS, ROLE_WORDS, TELEGRAM_ID, whole_number


def role_name(role: Role | None) -> Msg:
    """The localised name of a role."""
    return msg(f"role.name.{role.value if role else 'none'}")


def bind_chat(act: Act, chat: Chat, chosen: str) -> Msg | Refused:
    """Bind the group `chat` to the campaign's unit named `chosen`, or to the supervisors
    (`SUPERVISORS`); what to say back, or `Refused` when there is no such unit."""
    if act.campaign is None:
        return Refused(msg("bind.no_campaign"))
    if chosen == SUPERVISORS:
        chats.bind_supervisors(act.session, chat, act.stamp)
        return msg("bind.done_supervisors")
    unit = campaigns.unit_named(act.session, saved_id(act.campaign), chosen)
    if unit is None:
        return Refused(msg("bind.unknown_unit", text=chosen))
    chats.bind(act.session, chat, saved_id(unit), act.stamp)
    return msg("bind.done", unit=unit.name)


@dataclass(frozen=True)
class Someone:
    """A Telegram user named by the door (the author of the message replied to)."""

    user_id: int
    username: str | None
    full_name: str


def role_target(
    act: Act, replied: Someone | None, args: Sequence[str]
) -> tuple[Person | None, list[str]]:
    """The person a /role command is about (the one replied to, a user id, or @username) and
    the words left; a person seen for the first time is written down."""
    if replied is not None:
        person = people.touch_person(
            act.session,
            user_id=replied.user_id,
            username=replied.username,
            display_name=replied.full_name,
            stamp=act.stamp,
        )
        return person, list(args)
    if not args:
        return None, []
    who, rest = args[0], list(args[1:])
    user_id = whole_number(who, TELEGRAM_ID)
    if user_id is not None:
        known = people.person_by_user(act.session, user_id)
        if known is None:
            known = people.touch_person(
                act.session, user_id=user_id, username=None, display_name="", stamp=act.stamp
            )
        return known, rest
    if who.startswith("@"):
        return people.person_by_username(act.session, who), rest
    return None, list(args)


def _unit_for(act: Act, words: Sequence[str], here: Unit | None) -> Unit | Refused:
    """The unit a liaison's role is for: named after the role, else this group's."""
    if words and act.campaign is not None:
        named = campaigns.unit_named(act.session, saved_id(act.campaign), " ".join(words))
        return (
            named if named is not None else Refused(msg("bind.unknown_unit", text=" ".join(words)))
        )
    return here if here is not None else Refused(msg("role.needs_unit"))


def assign_role(
    act: Act, replied: Someone | None, args: Sequence[str], unit_here: Unit | None
) -> Msg | Refused:
    """`/role <user id | @username | as a reply> liaison|supervisor|admin|none [unit]`: the
    person given exactly that role (a liaison's for the unit named, or this group's)."""
    person, rest = role_target(act, replied, args)
    if person is None:
        named = bool(args) and args[0].startswith("@")
        return Refused(msg("role.who" if named else "role.usage", text=args[0] if args else ""))
    if not rest or rest[0].lower() not in ROLE_WORDS:
        return Refused(msg("role.usage"))
    role = ROLE_WORDS[rest[0].lower()]
    unit: Unit | None = None
    if role is Role.LIAISON:
        found = _unit_for(act, rest[1:], unit_here)
        if isinstance(found, Refused):
            return found
        unit = found
    if person.user_id == act.person.user_id:  # an admin must not lock themselves out by accident
        return Refused(msg("role.not_self"))
    people.set_role(act.session, person, role, unit.id if unit else None, act.stamp)
    who = (
        person.name
        or person.display_name
        or (f"@{person.username}" if person.username else str(person.user_id))
    )
    of_unit = msg("role.of_unit", unit=unit.name) if unit is not None else ""
    return msg("role.done", who=who, role=role_name(role), unit=of_unit)


def choose_language(
    act: Act, word: str, known: Collection[str], *, group: Chat | None
) -> Msg | Refused:
    """`/lang zh_CN|en`: the language of the group `group` (its liaisons and admins only), or
    with no group, of the person acting; `known` are the languages the bot speaks."""
    lang = LANGUAGE_WORDS.get(word.lower(), word)
    if lang not in known:
        return Refused(msg("lang.usage"))
    if group is not None:
        if not act.actor.reports_for(group.unit_id):
            return Refused(msg("lang.group_denied"))
        chats.set_chat_language(act.session, group, lang, act.stamp)
    else:
        people.set_language(act.session, act.person, lang, act.stamp)
    return msg("lang.done")


def note_members(
    session: Session, chat_id: int, joined: Sequence[int], gone: Sequence[int], at: datetime
) -> None:
    """People added to a group, or gone from it, kept as who is in it: a supervisor seen in
    the supervisors' group hears there only (`storage/sightings.py`)."""
    sightings.saw(session, chat_id, list(joined), at)
    for user_id in gone:
        sightings.left(session, chat_id, user_id)
