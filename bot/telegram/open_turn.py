"""Opening a turn: chat and speaker recorded (made on first sight), who they are, the campaign."""

from __future__ import annotations

from sqlmodel import Session

from bot.telegram.services import Services
from bot.telegram.source import Source
from bot.telegram.turn import GROUPS, Turn
from storage import campaigns, chats, people, sightings, turn_start
from storage.audit import Stamp


def open_turn(session: Session, services: Services, source: Source) -> Turn | None:
    """Record the chat and the speaker and build the turn; None for a bot speaking."""
    if source.speaker.is_bot:
        return None
    stamp = Stamp(services.clock(), source.speaker.user_id, source.chat_id)
    speaker, admins = source.speaker, services.settings.admin_ids
    known = turn_start.seen(session, source.chat_id, speaker.user_id)
    # first sight of the chat or the person: made now (their names kept fresh as ever)
    chat = chats.ensure_chat(
        session,
        chat_id=source.chat_id,
        kind=source.chat_kind,
        title=source.chat_title,
        known=known.chat if known else None,
    )
    person = people.touch_person(
        session,
        user_id=speaker.user_id,
        username=speaker.username,
        display_name=speaker.full_name,
        stamp=stamp,
        known=known.person if known else None,
    )
    if source.chat_kind in GROUPS and not (known is not None and known.sighted):
        sightings.saw(session, source.chat_id, [speaker.user_id], stamp.at)  # in the group
    if known is not None:
        actor = people.actor_from(speaker.user_id, known.grants, admins)
        campaign = known.campaign
    else:
        actor = people.actor_of(session, speaker.user_id, admins, person)
        campaign = campaigns.active_campaign(session)
    return Turn(session, services, source, chat, person, actor, campaign, stamp)
