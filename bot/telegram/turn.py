"""One update, one unit of work: who is speaking, where, in which language; replies after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from locales import Translator
from storage import campaigns, chats, people
from storage.audit import Stamp
from storage.db import Database
from storage.lease import Lease
from storage.models import Campaign, Chat, Person, Unit
from workflows.forms import Ask
from workflows.inputs import Answer, FileAnswer, TextAnswer
from workflows.messages import Msg, msg
from workflows.roles import Actor

logger = logging.getLogger(__name__)

Ctx = ContextTypes.DEFAULT_TYPE
# the bot's Application as PTB types it: default contexts, a rate limiter of any kind
BotApp = Application[
    ExtBot[Any], Ctx, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Ctx]
]


@dataclass
class Services:
    """What every handler needs, kept in `application.bot_data`."""

    db: Database
    settings: Settings
    translator: Translator
    clock: Callable[[], datetime]
    planner_interval: float = 5.0
    delivery_interval: float = 1.0
    lease: Lease | None = None  # the planner's, when several processes may run; None: always


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its callback data."""

    label: Msg | str
    data: str


@dataclass
class Reply:
    """A message to send once the unit of work has committed."""

    text: Msg | str
    chat_id: int | None = None  # None: the chat of the update
    buttons: list[list[Button]] = field(default_factory=list)
    force_reply: bool = False
    mention: bool = False  # address the speaker by name (selective prompts in groups)
    error: Msg | None = None
    ask: Ask | None = None
    draft_id: int | None = None  # the draft whose prompt this is: its message id is kept
    edit: bool = False  # replace the pressed message instead of sending a new one
    files: list[dict[str, Any]] = field(default_factory=list)  # stored files sent back by id
    photo: bytes | None = None  # a generated picture (the /summary chart), the text its caption
    document: tuple[str, bytes] | None = None  # a generated file (the export): name, content


@dataclass
class Turn:
    """Everything a handler needs about the update it handles."""

    session: Session
    services: Services
    update: Update
    chat: Chat
    person: Person
    actor: Actor
    campaign: Campaign | None
    stamp: Stamp
    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None  # a short answer to a pressed button (a toast)
    notice_url: str | None = None  # a t.me link the press opens (the private chat's deep link)

    @property
    def is_group(self) -> bool:
        """Whether the update comes from a group chat."""
        return self.chat.kind in ("group", "supergroup")

    @property
    def lang(self) -> str:
        """The chat's language, the person's in private, else the configured default."""
        wanted = self.chat.lang or (self.person.lang if not self.is_group else None)
        return self.services.translator.locale(wanted or self.services.settings.taizhang_locale)

    @property
    def zone(self) -> ZoneInfo:
        """The campaign's time zone (or the configured one before any campaign is loaded)."""
        return ZoneInfo(
            self.campaign.timezone if self.campaign else self.services.settings.taizhang_timezone
        )

    @property
    def unit(self) -> Unit | None:
        """The unit this group is bound to."""
        if self.chat.unit_id is None:
            return None
        return self.session.get(Unit, self.chat.unit_id)

    @property
    def reporting_unit(self) -> Unit | None:
        """The unit the speaker reports for here: this group's, or in private their only one."""
        if self.unit is not None:
            return self.unit
        if len(self.actor.units) == 1:
            return self.session.get(Unit, next(iter(self.actor.units)))
        return None

    def acting_unit(self) -> tuple[bool, Unit | None]:
        """Whether the speaker may act for a unit here, and which one: (True, None) is an admin
        who will pick the unit; (False, None) means the reason was said."""
        if self.campaign is None:
            self.say(msg("bind.no_campaign"))
            return False, None
        unit = self.reporting_unit
        if unit is not None and not self.actor.reports_for(unit.id):
            self.say(msg("submit.not_liaison", unit=unit.name))
            return False, None
        if unit is None and not self.actor.is_admin:
            self.say(msg("submit.no_unit"))
            return False, None
        return True, unit

    def say(self, text: Msg | str, **kw: Any) -> None:
        """Queue a reply in this chat."""
        self.replies.append(Reply(text, **kw))

    def refuse(self, reason: Msg) -> None:
        """Say why not: as the press's toast when a button was pressed (free, and nothing in
        the chat), else as a reply."""
        if self.update.callback_query is not None:
            self.notice = self.text(reason)
        else:
            self.say(reason)

    def text(self, message: Msg | str) -> str:
        """A message rendered in this turn's language, unescaped (for button notices)."""
        return self.services.translator.text(message, self.lang, tz=self.zone, year=self.year)

    @property
    def year(self) -> int:
        """The current year where the campaign is: dates in other years show theirs."""
        return self.stamp.at.astimezone(self.zone).year


def services_of(context: Ctx) -> Services:
    """The services stored on the application."""
    return services_in(context.application.bot_data)


def services_in(bot_data: dict[Any, Any]) -> Services:
    """The services `build_application` stored in an application's bot_data."""
    services = bot_data["services"]
    if not isinstance(services, Services):
        raise TypeError("the application holds no taizhang services")
    return services


def open_turn(session: Session, services: Services, update: Update) -> Turn | None:
    """Record the chat and the speaker and build the turn; None for updates with no speaker."""
    tg_chat, user = update.effective_chat, update.effective_user
    if tg_chat is None or user is None or user.is_bot:
        return None
    stamp = Stamp(services.clock(), user.id, tg_chat.id)
    chat = chats.ensure_chat(
        session,
        chat_id=tg_chat.id,
        kind=tg_chat.type,
        title=tg_chat.title or tg_chat.full_name or "",
    )
    person = people.touch_person(
        session, user_id=user.id, username=user.username, display_name=user.full_name, stamp=stamp
    )
    actor = people.actor_of(session, user.id, services.settings.admin_ids, person)
    return Turn(
        session, services, update, chat, person, actor, campaigns.active_campaign(session), stamp
    )


def answer_of(message: Message) -> Answer | None:
    """What a message answers: its text, a document, or the largest size of a photo."""
    if message.document is not None:
        d = message.document
        return FileAnswer(
            d.file_id, d.file_name or "file", d.mime_type or "", d.file_size or 0, "document"
        )
    if message.photo:
        p = message.photo[-1]
        return FileAnswer(
            p.file_id, f"photo_{p.file_unique_id}.jpg", "image/jpeg", p.file_size or 0, "photo"
        )
    if message.text is not None:
        return TextAnswer(message.text)
    return None
