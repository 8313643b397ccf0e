"""请假与代岗: a liaison away for some days, and who answers for the unit meanwhile.

A leave runs from the local midnight of its first day to the local midnight after its last
(the campaign's zone), so it ends by itself; ended early, it ends when it was ended. While a
liaison is away, what is addressed to the unit names the people who answer for it instead:
the deputy the liaison chose, if present, else every other liaison of the unit who is present.
A unit whose liaisons are all away with no one present to cover is `nobody` present: the
supervisors are told once for that stretch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import ClassVar

from typing_extensions import TypedDict

from workflows.calendar.dates import DateError, normalize
from workflows.calendar.when import read_when
from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Answer, Choice, FormEnv, InputError, Option, TextAnswer
from workflows.messages import Msg, msg

LONGEST = 92  # days: a leave longer than a quarter is a change of roster, not a leave
_SPLIT = re.compile(r"(?:至|到|~|-)+")  # after `dates.normalize`: one kind of dash, no spaces
_MONTH = re.compile(r"(?:\d{4}年)?\d{1,2}月")
_DAY_ONLY = re.compile(r"\d{1,2}[日号]")
_YEAR = re.compile(r"\d{2,4}年")


class LeaveRefused(ValueError):
    """A leave that cannot be recorded: why, in the asker's words (a message id)."""

    def __init__(self, reason: Msg) -> None:
        super().__init__(reason.id)
        self.reason = reason


@dataclass(frozen=True)
class Liaison:
    """One liaison of a unit: their Telegram user id, their name, and whether the bot may
    write to them in private (they have opened the private chat)."""

    user_id: int
    name: str
    private: bool = True


@dataclass(frozen=True)
class Absence:
    """A recorded leave: who, of which unit, from when until when, and who covers."""

    leave_id: int
    unit_id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    deputy: int | None = None

    def away_at(self, now: datetime) -> bool:
        """Whether the liaison is away at `now` (the end is not included)."""
        return self.starts_at <= now < self.ends_at

    def last_day(self, tz: tzinfo) -> date:
        """The last day of the leave, as the liaison gave it."""
        return (self.ends_at.astimezone(tz) - timedelta(microseconds=1)).date()

    def first_day(self, tz: tzinfo) -> date:
        """The first day of the leave."""
        return self.starts_at.astimezone(tz).date()


@dataclass(frozen=True)
class Cover:
    """Who answers for a unit now: those away, and those addressed in their place."""

    unit_id: int
    away: tuple[Absence, ...] = ()
    addressed: tuple[Liaison, ...] = ()
    since: datetime | None = None  # nobody present: since when (the stretch's one notice)

    @property
    def nobody(self) -> bool:
        """Every liaison of the unit away, and no deputy present."""
        return bool(self.away) and not self.addressed


def read_leave_days(text: str, *, today: date) -> tuple[date, date]:
    """The first and last day of a leave as typed (`3月4日–3月8日`, `3月4日至8日`, `明天到下周五`,
    one day alone), each side read as a date field reads it; `DateError` when it names no
    days. An end before the start stays so (`check_days` says why), never a year later."""
    if not text.strip():
        raise DateError("date.unreadable", text)
    parts = [p for p in _SPLIT.split(normalize(text)) if p]
    if not 1 <= len(parts) <= 2:
        raise DateError("date.unreadable", text.strip())
    month = _MONTH.match(parts[0])
    if len(parts) == 2 and month and _DAY_ONLY.fullmatch(parts[1]):
        parts[1] = month.group(0) + parts[1]  # 3月4日至8日: the month said once
    noon = datetime.combine(today, time(12))
    first, last = (read_when(p, now=noon).day for p in (parts[0], parts[-1]))
    if last < first and not _YEAR.search(parts[-1]):  # 12月30日至1月2日: over the new year
        later = _a_year_on(last)
        if (later - first).days < LONGEST:
            return first, later
    return first, last


def _a_year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 2月29日
        return day.replace(year=day.year + 1, day=28)


def days_value(first: date, last: date) -> str:
    """The days as a draft keeps them: `2026-03-04/2026-03-08`."""
    return f"{first.isoformat()}/{last.isoformat()}"


def days_of(value: str) -> tuple[date, date]:
    """The days a draft keeps, read back."""
    first, _, last = value.partition("/")
    return date.fromisoformat(first), date.fromisoformat(last or first)


@dataclass(frozen=True)
class LeaveDays:
    """The step that takes a leave's days, checked as they are typed (not before today, the
    end not before the start, not too long)."""

    kind: ClassVar[str] = "text"

    def parse(self, answer: Answer, env: FormEnv) -> str:
        """The days as `days_value`, or why not."""
        if not isinstance(answer, TextAnswer):
            raise InputError(msg("form.expect_text"))
        today = env.local_now.date()
        try:
            first, last = read_leave_days(answer.text, today=today)
            check_days(first, last, today=today)
        except DateError as err:
            raise InputError(err.message) from None
        except LeaveRefused as err:
            raise InputError(err.reason) from None
        return days_value(first, last)

    def show(self, value: object) -> Msg:
        """`3月4日（周三）至3月8日（周日）`."""
        first, last = days_of(str(value))
        return msg("leave.days", first=first, last=last)


DEPUTIES = "deputies"
NO_DEPUTY = "0"  # the option "nobody in particular: the unit's other liaisons"

LEAVE = Flow(
    FlowName.LEAVE,
    title="leave.title",
    steps=(
        Step("days", "leave.ask_days", LeaveDays()),
        Step("deputy", "leave.ask_deputy", Choice(source=DEPUTIES)),
    ),
    summary="leave.summary",
)


class LeaveContext(TypedDict):
    """leave: the unit the liaison takes leave from."""

    unit_id: int
    unit: str


class LeaveAnswers(TypedDict, total=False):
    """leave: the days (`days_value`) and the deputy's user id (`NO_DEPUTY`: nobody)."""

    days: str
    deputy: str


def covered_by(deputy: str | None) -> Msg | str:
    """Who covers, as a leave is said back: the deputy's name, or the unit's other liaisons."""
    return deputy or msg("leave.others")


def deputy_options(me: int, liaisons: Iterable[Liaison]) -> list[Option]:
    """The deputy's buttons: the unit's other liaisons, then "the other liaisons"."""
    others = [Option(str(p.user_id), p.name) for p in liaisons if p.user_id != me]
    return [*others, Option(NO_DEPUTY, msg("leave.no_deputy"))]


def check_days(first: date, last: date, *, today: date) -> None:
    """Refuse a leave ending before it begins, begun in the past, or longer than `LONGEST`."""
    if last < first:
        raise LeaveRefused(msg("leave.reversed", first=first, last=last))
    if first < today:
        raise LeaveRefused(msg("leave.past", first=first))
    if (last - first).days + 1 > LONGEST:
        raise LeaveRefused(msg("leave.too_long", days=LONGEST))


def check_deputy(deputy: int | None, *, me: int, liaisons: Iterable[Liaison]) -> None:
    """A deputy is another liaison of the same unit (or nobody)."""
    if deputy is None:
        return
    if deputy == me or deputy not in {p.user_id for p in liaisons}:
        raise LeaveRefused(msg("leave.deputy_not_liaison"))


def check_overlap(first: date, last: date, mine: Iterable[Absence], tz: tzinfo) -> None:
    """One leave at a time: refuse days that overlap a leave already recorded."""
    for other in mine:
        if first <= other.last_day(tz) and other.first_day(tz) <= last:
            raise LeaveRefused(
                msg("leave.overlaps", first=other.first_day(tz), last=other.last_day(tz))
            )


def leave_span(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The leave's start and end as moments: the local midnights around its days."""
    starts = datetime.combine(first, time(0), tzinfo=tz)
    ends = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return starts, ends


def cover_of(
    unit_id: int, liaisons: Sequence[Liaison], absences: Iterable[Absence], now: datetime
) -> Cover:
    """Who answers for the unit at `now`: for each liaison away, their deputy if present,
    else every other liaison present; nobody addressed when nobody is away."""
    on_roll = {p.user_id for p in liaisons}
    away = tuple(
        a for a in absences if a.unit_id == unit_id and a.user_id in on_roll and a.away_at(now)
    )
    if not away:
        return Cover(unit_id)
    gone = {a.user_id for a in away}
    present = [p for p in liaisons if p.user_id not in gone]
    wanted: set[int] = set()
    for a in away:
        if a.deputy is not None and a.deputy in {p.user_id for p in present}:
            wanted.add(a.deputy)
        else:
            wanted.update(p.user_id for p in present)
    addressed = tuple(p for p in present if p.user_id in wanted)
    since = max(a.starts_at for a in away) if not addressed else None
    return Cover(unit_id, away, addressed, since)


def cover_line(cover: Cover, names: dict[int, str], tz: tzinfo) -> Msg | None:
    """The line said under a notice to the unit: who is away until when, who answers."""
    if not cover.away:
        return None
    away = away_lines(cover, names, tz)
    if cover.nobody:
        return msg("leave.line_nobody", away=away)
    to = [msg("leave.mention", user_id=p.user_id, name=p.name) for p in cover.addressed]
    return msg("leave.line", away=away, to=to)


def away_lines(cover: Cover, names: dict[int, str], tz: tzinfo) -> list[Msg]:
    """`张三（请假至3月8日（周日））` for each liaison away."""
    return [
        msg("leave.away_until", name=names.get(a.user_id, ""), last=a.last_day(tz))
        for a in cover.away
    ]
