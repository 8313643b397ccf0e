"""The working-day calendar's overrides, set by admins or imported from the yearly notice."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlmodel import Session, col, select

from storage.audit import Stamp, record, snapshot
from storage.models import CalendarOverride
from workflows.calendar.working_days import OfficialDays, WorkCalendar


@cache
def official_days() -> OfficialDays:
    """The package's data, read once per process."""
    return OfficialDays.from_package()


def work_calendar(session: Session) -> WorkCalendar:
    """The calendar with every override applied."""
    rows = list(session.exec(select(CalendarOverride)))
    imported = {r.day.year for r in rows if r.source == "notice"}
    return WorkCalendar(official_days(), {r.day: r.is_workday for r in rows}, imported)


def overrides_in(session: Session, year: int) -> list[CalendarOverride]:
    """The overrides of one year, by date."""
    stmt = select(CalendarOverride).where(
        col(CalendarOverride.day) >= date(year, 1, 1),
        col(CalendarOverride.day) <= date(year, 12, 31),
    )
    return list(session.exec(stmt.order_by(col(CalendarOverride.day))))


def set_override(
    session: Session, day: date, is_workday: bool, note: str, stamp: Stamp, source: str = "manual"
) -> None:
    """Make `day` a working day or a day off, whatever the official data says."""
    row = session.exec(select(CalendarOverride).where(CalendarOverride.day == day)).first()
    before = snapshot(row)
    row = row or CalendarOverride(day=day, is_workday=is_workday, set_at=stamp.at)
    row.is_workday, row.note, row.source = is_workday, note, source
    row.set_by, row.set_at = stamp.user_id, stamp.at
    session.add(row)
    session.flush()
    record(session, stamp, "calendar.override", "calendaroverride", row.id, before, snapshot(row))
