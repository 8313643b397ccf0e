"""已阅: a notice or circular sent to every unit's group, confirmed once per unit, and the
ladder for units that have not confirmed it — one reminder in working hours, then the
supervisors told.

A notice sent on day D is due to be read by the end of the next working day after D (18:00,
when the working day ends); D itself never counts, as for a forwarded case. A unit that has
not read it by then is reminded once, at the first working-hours moment after that; at the
end of that working day the supervisors hear which units still have not read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.documents.circular import Section
from workflows.messages import Msg, msg

WORK_STARTS = time(9, 0)
WORK_ENDS = time(18, 0)
# a notice is read in a chat: its text and the lines around it fit one Telegram message (4096)
NOTICE_TEXT_LIMIT = 2000
TITLE_CHARS = 24  # how much of a notice's text names it in lists and reminders


@dataclass(frozen=True)
class Receipt:
    """A unit's 已阅: who pressed, and when."""

    unit_id: int
    by: str
    at: datetime


@dataclass(frozen=True)
class NoticeState:
    """A notice as sent: to which units, and which of them have read it."""

    notice_id: int
    title: str
    sent_at: datetime
    units: tuple[int, ...]
    read: Mapping[int, Receipt]

    @property
    def unread(self) -> tuple[int, ...]:
        """The units it went to that have not confirmed it, in the order it went."""
        return tuple(u for u in self.units if u not in self.read)


@dataclass(frozen=True)
class Stage:
    """A rung of the ladder that is due: whom to tell (`remind` the units, or `supervisors`)."""

    name: str
    at: datetime
    units: tuple[int, ...]


def title_of(text: str) -> str:
    """The first line of a notice, cut short: how lists and reminders name it."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def in_working_hours(at: datetime, cal: WorkCalendar, tz: tzinfo) -> bool:
    """Whether `at` falls on a working day between 09:00 and 18:00 (local time)."""
    local = at.astimezone(tz)
    return cal.is_workday(local.date()) and WORK_STARTS <= local.time() < WORK_ENDS


def next_working_moment(at: datetime, cal: WorkCalendar, tz: tzinfo) -> datetime:
    """`at` if it is in working hours, else the next working day's 09:00."""
    if in_working_hours(at, cal, tz):
        return at
    local = at.astimezone(tz)
    day = local.date()
    if not (cal.is_workday(day) and local.time() < WORK_STARTS):
        day = cal.add_working_days(day, 1)
    return datetime.combine(day, WORK_STARTS, tzinfo=tz)


def read_by(sent_at: datetime, cal: WorkCalendar, tz: tzinfo) -> datetime:
    """When a notice should have been read: 18:00 of the next working day after it was sent."""
    day = cal.add_working_days(sent_at.astimezone(tz).date(), 1)
    return datetime.combine(day, WORK_ENDS, tzinfo=tz)


def ladder(
    notice: NoticeState, *, now: datetime, cal: WorkCalendar, tz: tzinfo, reminded: bool
) -> list[Stage]:
    """The rungs due now for the units that have not read the notice: one reminder to them,
    only in working hours; after it (`reminded`), at the end of its working day, the
    supervisors. Nothing once every unit has read it."""
    unread = notice.unread
    if not unread:
        return []
    due = read_by(notice.sent_at, cal, tz)
    if now < due:
        return []
    remind_at = next_working_moment(due, cal, tz)
    out: list[Stage] = []
    if now >= remind_at and in_working_hours(now, cal, tz):
        out.append(Stage("remind", remind_at, unread))
    tell_at = datetime.combine(remind_at.astimezone(tz).date(), WORK_ENDS, tzinfo=tz)
    if reminded and now >= tell_at:
        out.append(Stage("supervisors", tell_at, unread))
    return out


def read_late(notice: NoticeState, cal: WorkCalendar, tz: tzinfo) -> tuple[int, ...]:
    """The units that read the notice after it was due to be read (or not at all)."""
    due = read_by(notice.sent_at, cal, tz)
    return tuple(u for u in notice.units if u not in notice.read or notice.read[u].at > due)


def receipt_answer(unit: str, earlier: Receipt | None, now: datetime) -> Msg:
    """The press's answer: recorded now, or who read it already (nothing recorded again)."""
    if earlier is not None:
        return msg("notices.read_before", by=earlier.by, at=earlier.at)
    return msg("notices.read_ok", unit=unit, at=now)


def status_lines(notice: NoticeState, names: Mapping[int, str], *, kind: str) -> list[Msg]:
    """A notice's read/unread lines: the units that read it with who and when, the rest
    unread since it was sent."""
    out = [
        msg(
            f"notices.status_head.{kind}",
            title=notice.title,
            at=notice.sent_at,
            read=len(notice.read),
            total=len(notice.units),
        )
    ]
    for unit in notice.units:
        name = names.get(unit, str(unit))
        r = notice.read.get(unit)
        if r is not None:
            out.append(msg("notices.status_read", unit=name, by=r.by, at=r.at))
        else:
            out.append(msg("notices.status_unread", unit=name, since=notice.sent_at))
    return out


RECENT = timedelta(days=30)  # notices older than this leave the ladder and the lists


def last_due(
    notices: list[NoticeState], *, now: datetime, cal: WorkCalendar, tz: tzinfo
) -> NoticeState | None:
    """The newest of `notices` (newest first) whose time to be read is over."""
    return next((n for n in notices if read_by(n.sent_at, cal, tz) <= now), None)


def late_reads_section(
    notice: NoticeState, names: Mapping[int, str], cal: WorkCalendar, tz: tzinfo
) -> Section:
    """The circular's 已阅情况: the units that read the last circular late, or not at all."""
    due = read_by(notice.sent_at, cal, tz)
    late = read_late(notice, cal, tz)
    heading = msg("notices.circular.h")
    if not late:
        return Section(heading, (msg("notices.circular.all_on_time", sent=notice.sent_at),))
    units = [
        msg("notices.circular.late_unit", unit=names.get(u, str(u)), at=notice.read[u].at)
        if u in notice.read
        else msg("notices.circular.unread_unit", unit=names.get(u, str(u)))
        for u in late
    ]
    said = msg("notices.circular.late", sent=notice.sent_at, due=due, count=len(late), units=units)
    return Section(heading, (said,))
