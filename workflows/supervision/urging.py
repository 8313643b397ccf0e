"""催办 from the board: a supervisor presses a unit's people once, at most once a working day.

A 催办 sent on a day off is read on the next working day, so it counts for that day: the
unit is never pressed twice before it has worked a day to answer.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from workflows import keys
from workflows.calendar.working_days import WorkCalendar
from workflows.messages import Msg, msg
from workflows.outcome import Notice


def urge_day(now: datetime, cal: WorkCalendar, tz: tzinfo) -> date:
    """The working day a 催办 sent now counts for: today, or the next working day."""
    today = now.astimezone(tz).date()
    return today if cal.is_workday(today) else cal.add_working_days(today, 1)


def urge_notice(
    unit_id: int, day: date, *, unit: str, by: str, overdue: int, cases: int, weekly: Msg
) -> Notice:
    """The one message to the unit's groups: who presses, and what is behind."""
    text = msg("urge.unit", unit=unit, by=by, overdue=overdue, cases=cases, weekly=weekly)
    return Notice(keys.urged(unit_id, day), "unit.urged", text)


def already_urged(unit: str, at: datetime, by: str) -> Msg:
    """Why a second 催办 the same working day is refused."""
    return msg("urge.already", unit=unit, at=at, by=by)
