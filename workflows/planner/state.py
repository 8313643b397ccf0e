"""What the planner reads (the campaign's state) and what it makes (`Planned`), and the plan
that every subject's planner adds to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.campaign import FeedbackRule
from workflows.deliverables.checkpoints import Checkpoint, UnitBehind
from workflows.forms.deeplink import AppLink
from workflows.messages import Msg, msg
from workflows.people.leave import Absence, Liaison
from workflows.week.periods import CampaignSpan

GRACE = timedelta(minutes=10)  # a stage planned later than this after its time is "late"
MORNING = time(8, 0)
DIGEST_AT = time(9, 0)


@dataclass(frozen=True)
class QuietHours:
    """Non-urgent messages wait from `start` until `end` (local time)."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    def release(self, at: datetime, tz: tzinfo) -> datetime:
        """`at`, or the end of the quiet hours it falls in."""
        local = at.astimezone(tz)
        t = local.time()
        if self.start <= t or t < self.end:
            day = local.date() + timedelta(days=1) if t >= self.start else local.date()
            return datetime.combine(day, self.end, tzinfo=tz)
        return at


@dataclass(frozen=True)
class UnitTarget:
    """A unit and the group chats bound to it."""

    unit_id: int
    name: str
    chats: tuple[int, ...]


@dataclass(frozen=True)
class DeadlineState:
    """A deliverable, the units it applies to, and those that submitted it."""

    deadline_id: int
    deliverable: str
    due_at: datetime
    created_at: datetime
    units: frozenset[int]
    submitted: frozenset[int]


@dataclass(frozen=True)
class WeeklyState:
    """A weekly report and which units submitted it for which reporting day."""

    index: int
    name: str
    weekday: int
    at: time
    submitted: frozenset[tuple[int, date]]


@dataclass(frozen=True)
class CaseState:
    """An open forwarded case (not yet answered)."""

    case_id: int
    code: str
    unit_id: int
    due_at: datetime
    summary: str


@dataclass(frozen=True)
class ItemState:
    """A ledger item not closed out, with its 办结时间."""

    item_id: int
    code: str
    name: str
    unit_id: int
    due_on: date


@dataclass(frozen=True)
class CheckpointState:
    """A checkpoint reached whose 约谈名单 some supervisors' chat has not been sent: the list."""

    checkpoint: Checkpoint
    behind: tuple[UnitBehind, ...]


@dataclass(frozen=True)
class PlannerState:
    """Everything the planner reads."""

    tz: tzinfo
    reminders: tuple[timedelta, ...]
    units: Mapping[int, UnitTarget]
    deadlines: tuple[DeadlineState, ...] = ()
    weekly: tuple[WeeklyState, ...] = ()
    supervisors: tuple[int, ...] = ()
    admins: tuple[int, ...] = ()
    planned: frozenset[str] = frozenset()
    quiet: QuietHours = field(default_factory=QuietHours)
    cases: tuple[CaseState, ...] = ()
    case_rules: FeedbackRule = field(default_factory=FeedbackRule)
    items: tuple[ItemState, ...] = ()  # open items due in the last fortnight
    checkpoints: tuple[CheckpointState, ...] = ()  # reached lately, a list still owed
    span: CampaignSpan = field(default_factory=lambda: CampaignSpan(None, None))
    liaisons: Mapping[int, tuple[Liaison, ...]] = field(default_factory=dict)  # by unit
    absences: tuple[Absence, ...] = ()  # leaves not over yet (请假)
    # told in a catch-up withdrawn unsent while still owed (`keys.owed_again`), not told since
    owed_again: frozenset[str] = frozenset()


# a button of a notice: its label and its callback data, or the Mini App page it opens (the bot
# signs the link when it renders the notice, for the chat it goes to)
PlannedButton = tuple[Msg, str | AppLink]


@dataclass(frozen=True)
class Planned:
    """One message to one chat, sent once: its key, when it may go, and what it says."""

    key: str
    kind: str
    chat_id: int
    message: Msg
    not_before: datetime
    buttons: tuple[PlannedButton, ...] = ()
    late: bool = False
    stage_at: datetime | None = None  # the moment the stage was due (for catch-up order)
    absorbs: tuple[str, ...] = ()  # keys of the notifications this one tells in their place
    morning: date | None = None  # a notice said again each working morning: that morning
    document: tuple[str, bytes] | None = None  # a file it carries (name, bytes); text: caption


class Plan:
    """The notices planned in one pass, each new key once, late ones marked 补发."""

    def __init__(self, state: PlannerState, now: datetime) -> None:
        self.state, self.now = state, now
        self.out: list[Planned] = []
        self.order = {unit_id: i for i, unit_id in enumerate(state.units)}

    def add(
        self,
        key: str,
        kind: str,
        chat: int,
        message: Msg,
        *,
        urgent: bool = False,
        stage_at: datetime | None = None,
        buttons: tuple[PlannedButton, ...] = (),
        morning: date | None = None,
        earlier: Sequence[str] = (),
    ) -> None:
        """Plan a notice unless its key was planned before; non-urgent ones wait out the
        quiet hours. A notice said again each working `morning` is told with the chat's
        others of that morning (`catch_up`). `earlier`: the keys of the same target's earlier
        stages, oldest first (`still_owed`)."""
        owed, told = still_owed(key, earlier, self.state)
        if told is None:
            return
        # only for new keys; an earlier stage told after its latest is late by definition
        late = told != key or (stage_at is not None and self.now - stage_at > GRACE)
        if late:
            message = msg("notify.late", body=message)
        not_before = self.now if urgent else self.state.quiet.release(self.now, self.state.tz)
        at = stage_at or self.now
        self.out.append(
            Planned(
                told,
                kind,
                chat,
                message,
                not_before,
                buttons,
                late,
                at,
                absorbs=owed,
                morning=morning,
            )
        )

    def chats_of(self, unit_ids: Iterable[int]) -> Iterator[tuple[int, int]]:
        """(unit, chat) for every group chat bound to these units."""
        for unit_id in unit_ids:
            target = self.state.units.get(unit_id)
            for chat in target.chats if target else ():
                yield unit_id, chat


def still_owed(
    key: str, earlier: Sequence[str], state: PlannerState
) -> tuple[tuple[str, ...], str | None]:
    """(the earlier stages told with it, the key to plan; None: nothing to plan).

    Only the latest stage of a target is planned; an earlier one is told again only when a
    catch-up telling it was withdrawn unsent while it was still owed (`owed_again`, the week
    reported but not the deadline it folded too). It is then told with the latest stage, in
    one line; or, when the latest went already, under its own key.
    """
    owed = [k for k in earlier if k in state.owed_again and k not in state.planned]
    if key not in state.planned:
        return tuple(owed), key
    if not owed:
        return (), None
    return tuple(owed[:-1]), owed[-1]


def latest_working_morning(
    after: date, now: datetime, tz: tzinfo, cal: WorkCalendar
) -> date | None:
    """The latest working day after `after` whose 09:00 has passed."""
    local = now.astimezone(tz)
    day = local.date() if local.time() >= DIGEST_AT else local.date() - timedelta(days=1)
    while day > after:
        if cal.is_workday(day):
            return day
        day -= timedelta(days=1)
    return None
