"""One turn, one unit of work: who is speaking, where, in which language; replies after commit.

A turn comes from a chat update or a Mini App call (its `Source`); a handler reads the turn,
says what to answer, asks for flows to begin (`Turn.begin`) and work to follow (`Turn.later`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import Message, Update, User
from telegram.constants import MessageEntityType
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Settings
from bot.telegram.budget import LimitArgs
from bot.telegram.prompts import PromptLog
from locales import Translator
from storage import campaigns, chats, drafts, people, sightings, turn_start
from storage.audit import Stamp
from storage.db import Database
from storage.lease import Lease
from storage.models import Campaign, Chat, FormDraft, Person, Unit
from workflows.clean import clean_name, clean_text
from workflows.forms.engine import Ask, Nav
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Answer, FileAnswer, TextAnswer
from workflows.json_types import JSONObject
from workflows.messages import Msg, msg
from workflows.people.roles import Actor, NotActing

logger = logging.getLogger(__name__)
GROUPS = ("group", "supergroup")  # Telegram's chat types of a group chat


Data = dict[object, object]  # PTB's user, chat and bot data: read back through a narrowing


class Ctx(CallbackContext[ExtBot[LimitArgs], Data, Data, Data]):
    """PTB's default context, typed with the bot as it is built: with our rate limiter
    (`build_application` makes PTB use this class)."""


# the bot's Application as PTB types it: our context and bot, PTB's dicts for the data
BotApp = Application[ExtBot[LimitArgs], Ctx, Data, Data, Data, JobQueue[Ctx]]


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
    prompts: PromptLog = field(default_factory=PromptLog)  # sent, not yet written to drafts
    bot_username: str = ""  # known once the bot has met Telegram (the Mini App's links)


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its callback data, or a link it opens (`url`), or the
    Mini App page it opens in a private chat (`web_app`)."""

    label: Msg | str
    data: str = ""
    url: str = ""
    web_app: str = ""


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
    rev: int = 0  # the draft's revision the prompt asks for
    edit: bool = False  # replace the pressed message instead of sending a new one
    files: list[JSONObject] = field(default_factory=list)  # stored files sent back by id
    photo: bytes | None = None  # a generated picture (the /summary chart), the text its caption
    document: tuple[str, bytes] | None = None  # a generated file (the export): name, content


@dataclass(frozen=True)
class Speaker:
    """The person behind a turn, as Telegram names them."""

    user_id: int
    username: str | None
    full_name: str
    is_bot: bool = False


@dataclass(frozen=True)
class Replied:
    """The message a person's message replies to."""

    message_id: int
    sender: Speaker | None
    text: str  # its text or caption
    answer: Answer | None = None  # what it holds (its file, for /forward by reply)
    mentions: frozenset[int] = frozenset()  # the people it addresses (a prompt in a group)

    @property
    def from_bot(self) -> bool:
        """Whether a bot wrote it (in a group, privacy mode shows us replies to our own only)."""
        return self.sender is not None and self.sender.is_bot


@dataclass(frozen=True)
class Source:
    """Where a turn comes from: a chat update, or a Mini App call acting in a chat."""

    chat_id: int
    chat_kind: str
    chat_title: str
    speaker: Speaker
    message_id: int | None = None  # the person's message, or the bot message pressed
    pressed: bool = False
    replied: Replied | None = None
    caption: str = ""
    bot_username: str = ""
    update_id: int | None = None  # Telegram's, on an update's first turn (storage/handled.py)

    @property
    def from_person(self) -> bool:
        """Whether `message_id` is the person's own message (a reply in a group quotes it)."""
        return self.message_id is not None and not self.pressed


@dataclass(frozen=True)
class Begin:
    """A flow a handler asks for; the dispatcher starts it once the handler returns."""

    flow: FlowName
    context: Mapping[str, object] | None = None
    prefill: Mapping[str, Answer] | None = None
    # buttons added under the first prompt when it is a card (the weekly update's 下载填报表)
    extra: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Resume:
    """Show again the step the speaker's open flow in this chat stands on."""


@dataclass(frozen=True)
class Navigate:
    """/back, /skip or /cancel on the speaker's open flow here."""

    kind: Nav


Request = Begin | Resume | Navigate

T = TypeVar("T")


class Steps(Protocol):
    """What a follow-up task may do: more turns for the same person and chat, a download."""

    async def turn(self, body: Callable[[Turn], T]) -> T | None:
        """One more unit of work (in a worker thread), its replies sent after the commit."""
        ...

    async def download(self, file_id: str, name: str) -> bytes | None:
        """A file's content from Telegram, or None with the failure said."""
        ...


class Task(Protocol):
    """Work that follows a turn in a task of its own (reading a workbook, saving an import)."""

    async def run(self, steps: Steps) -> None:
        """Do the work, a unit of work at a time."""
        ...


_UNREAD = object()  # the turn has not looked for the speaker's draft yet


@dataclass
class Turn:
    """Everything a handler needs about the update it handles."""

    session: Session
    services: Services
    source: Source
    chat: Chat
    person: Person
    actor: Actor
    campaign: Campaign | None
    stamp: Stamp
    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None  # a short answer to a pressed button (a toast)
    notice_url: str | None = None  # a t.me link the press opens (the private chat's deep link)
    alert: bool = False  # the notice is an instruction to read: a pop-up, not a passing toast
    requests: list[Request] = field(default_factory=list)  # flows to begin or show
    tasks: list[Task] = field(default_factory=list)  # work that follows the turn
    _draft: object = field(default=_UNREAD, repr=False)

    @property
    def is_group(self) -> bool:
        """Whether the update comes from a group chat."""
        return self.chat.kind in GROUPS

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
    def unit_here(self) -> Unit | None:
        """The unit the speaker speaks for here, unchecked: this group's, or in private their
        only one."""
        if self.unit is not None:
            return self.unit
        if len(self.actor.units) == 1:
            return self.session.get(Unit, next(iter(self.actor.units)))
        return None

    def acting_unit(self) -> Acting:
        """For whom the speaker acts here (`roles.Actor.acting_for`): a unit, an admin who
        will pick one, or (not allowed) the reason, said."""
        chosen = self.actor.acting_for(
            chat_unit=self.chat.unit_id, has_campaign=self.campaign is not None
        )
        if isinstance(chosen, NotActing):
            named = self.session.get(Unit, chosen.unit_id) if chosen.unit_id is not None else None
            self.refuse(msg(chosen.reason, unit=named.name) if named else msg(chosen.reason))
            return Acting(False, None)
        return Acting(True, None if chosen is None else self.session.get(Unit, chosen))

    def reporting_unit(self) -> Unit | None:
        """The unit the speaker reports for here, or None with the reason said (an admin
        with no unit here too: this needs a unit)."""
        acting = self.acting_unit()
        if acting.allowed and acting.unit is None:
            self.refuse(msg("submit.no_unit"))
        return acting.unit

    def draft(self) -> FormDraft | None:
        """The speaker's open draft in this chat, read once a turn (and locked)."""
        if self._draft is _UNREAD:
            self._draft = drafts.draft_of(self.session, self.chat.chat_id, self.person.user_id)
        return self._draft if isinstance(self._draft, FormDraft) else None

    def keep_draft(self, row: FormDraft | None) -> None:
        """What the speaker's draft in this chat is now (saved, moved here, or gone)."""
        self._draft = row

    def say(self, text: Msg | str, **kw: Any) -> None:
        """Queue a reply in this chat."""
        self.replies.append(Reply(text, **kw))

    def begin(
        self,
        flow: FlowName,
        *,
        context: Mapping[str, object] | None = None,
        prefill: Mapping[str, Answer] | None = None,
        extra: tuple[Button, ...] = (),
    ) -> None:
        """Ask for a flow to begin for the speaker here, once this handler returns."""
        self.requests.append(Begin(flow, context, prefill, extra))

    def navigate(self, kind: Nav) -> None:
        """Ask for /back, /skip or /cancel on the speaker's open flow, once this handler
        returns (with nothing open, the dispatcher says so)."""
        self.requests.append(Navigate(kind))

    def resume(self) -> None:
        """Ask for the step the speaker's open flow here stands on to be shown again."""
        self.requests.append(Resume())

    def later(self, task: Task) -> None:
        """Follow the turn with work in a task of its own, after its replies are sent."""
        self.tasks.append(task)

    def refuse(self, reason: Msg) -> None:
        """Say why not: as the press's toast when a button was pressed (free, and nothing in
        the chat), else as a reply."""
        if self.source.pressed:
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


class Acting(NamedTuple):
    """For whom a person acts here: a unit, or (allowed, no unit) an admin who will pick one."""

    allowed: bool
    unit: Unit | None


def services_of(context: Ctx) -> Services:
    """The services stored on the application."""
    return services_in(context.application.bot_data)


def services_in(bot_data: Mapping[object, object]) -> Services:
    """The services `build_application` stored in an application's bot_data."""
    services = bot_data["services"]
    if not isinstance(services, Services):
        raise TypeError("the application holds no taizhang services")
    return services


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


def speaker_of(user: User) -> Speaker:
    """A Telegram user as a turn's speaker."""
    return Speaker(user.id, user.username, clean_name(user.full_name), user.is_bot)


def source_of(update: Update, bot_username: str) -> Source | None:
    """Where a chat update comes from; None for updates with no chat or no speaker."""
    tg_chat, user = update.effective_chat, update.effective_user
    if tg_chat is None or user is None:
        return None
    query = update.callback_query
    message = update.effective_message
    replied = message.reply_to_message if message is not None and query is None else None
    return Source(
        chat_id=tg_chat.id,
        chat_kind=tg_chat.type,
        chat_title=clean_name(tg_chat.title or tg_chat.full_name or ""),
        speaker=speaker_of(user),
        message_id=message.message_id if message is not None else None,
        pressed=query is not None,
        replied=_replied(replied) if replied is not None else None,
        caption=clean_text(message.caption or "") if message is not None and query is None else "",
        bot_username=bot_username,
        update_id=update.update_id,
    )


def _replied(message: Message) -> Replied:
    mentions = frozenset(
        e.user.id
        for e in (*message.entities, *message.caption_entities)
        if e.type == MessageEntityType.TEXT_MENTION and e.user is not None
    )
    sender = speaker_of(message.from_user) if message.from_user is not None else None
    return Replied(
        message.message_id,
        sender,
        clean_text(message.text or message.caption or ""),
        message_answer(message),
        mentions,
    )


def message_answer(message: Message) -> Answer | None:
    """What a message answers: its text, a document, or the largest size of a photo."""
    # its file_unique_id tells the same file sent again (by anyone, in any chat); its SHA-256
    # is added once its bytes are fetched (`bot/telegram/hashes.py`)
    sender = {"sender": message.from_user.id} if message.from_user is not None else {}
    if message.document is not None:
        d = message.document
        name = clean_name(d.file_name or "") or "file"
        proof = {"unique_id": d.file_unique_id, **sender}
        return FileAnswer(d.file_id, name, d.mime_type or "", d.file_size or 0, "document", proof)
    if message.photo:
        p = message.photo[-1]
        proof = {"unique_id": p.file_unique_id, **sender}
        return FileAnswer(
            p.file_id,
            f"photo_{p.file_unique_id}.jpg",
            "image/jpeg",
            p.file_size or 0,
            "photo",
            proof,
        )
    if message.text is not None:
        return TextAnswer(clean_text(message.text))
    return None
