"""What a use case is given: the unit of work, the moment, who acts, and where its words go."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel import Session

from storage.audit import Stamp
from storage.models import Campaign, Person
from workflows.messages import Msg, Say
from workflows.people.roles import Actor
from workflows.planner import Planned


@dataclass
class Act:
    """One use case's context: a door (a chat turn, a Mini App call, the CLI) builds it, calls
    the use case, then says `said` to the one acting and puts `told` in the outbox."""

    session: Session  # the unit of work; a use case never commits
    stamp: Stamp  # now, who acts, from which chat
    zone: ZoneInfo  # the campaign's time zone
    campaign: Campaign | None
    person: Person  # who acts
    actor: Actor  # and with which roles, for which units
    chat_id: int  # where they act from (the Mini App: their private chat)
    text: Say  # a message rendered in the language of the one acting
    said: list[Msg | str] = field(default_factory=list)  # to the one acting, in order
    told: list[Planned] = field(default_factory=list)  # to others, through the outbox

    def say(self, text: Msg | str) -> None:
        """Something to say to the one acting."""
        self.said.append(text)

    def tell(self, planned: Iterable[Planned]) -> None:
        """Notices to others, delivered through the outbox in this unit of work."""
        self.told.extend(planned)
