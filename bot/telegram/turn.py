"""One turn, one unit of work: who is speaking, where, in which language; replies after commit.

A turn comes from a chat update or a Mini App call (its `Source`); a handler reads the turn,
says what to answer, asks for flows to begin (`Turn.begin`) and work to follow (`Turn.later`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.telegram.reply import Button, Reply
from bot.telegram.services import Services
from bot.telegram.source import Source
from storage import drafts
from storage.audit import Stamp
from storage.models import Campaign, Chat, FormDraft, Person, Unit
from workflows.forms.engine import Nav
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Answer
from workflows.messages import Msg, msg
from workflows.people.roles import Actor, NotActing

GROUPS = ("group", "supergroup")  # Telegram's chat types of a group chat


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
