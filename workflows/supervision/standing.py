"""A unit's standing (三色：绿/黄/红) on the supervisors' board: the one rule, written here and in
README, and nowhere else.

Nothing counts against a unit before it is due:

- **红 (behind)** — something of the unit is past its time: a problem past its 办结时间 and not
  closed out; this week's report not in after its deadline; a forwarded case not answered by
  its time limit.
- **黄 (watch)** — nothing is late, but something falls due soon: this week's report is due
  today and not yet in (its deadline still ahead); a problem not closed out is due within
  `SOON_WORKING_DAYS` working days (today included); a forwarded case is due today.
- **绿 (on track)** — everything else. A unit with no problem and its report in is green; a
  report in late is in (the board says 迟报 in words, but it colours nothing).

A problem awaiting a close-out decision (待销号) is the supervisors' to decide: it is never
"due soon" for its unit, though one past its 办结时间 is still 逾期, as /summary counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.campaign import RecurringSpec
from workflows.supervision.colours import GREEN, RED, YELLOW
from workflows.week.periods import reporting_day

SOON_WORKING_DAYS = 3  # a problem due within three working days turns its unit yellow

# this week's report, measured against its deadline
ON_TIME, LATE = "on_time", "late"
DUE = "due"  # not in, and its deadline is still ahead: nothing against the unit yet
MISSING = "missing"  # not in, and its deadline has passed: 未报送
NO_REPORT = "none"  # the campaign has no weekly report


def report_state(submitted: str | None, deadline: datetime | None, now: datetime) -> str:
    """This week's report for a unit: `on_time` / `late` as sent, else `due` before its
    deadline and `missing` from its deadline on (`none` when the campaign has none)."""
    if submitted in (ON_TIME, LATE):
        return submitted
    if deadline is None:
        return NO_REPORT
    return DUE if now < deadline else MISSING


def week_deadline(report: RecurringSpec | None, now: datetime, tz: tzinfo) -> datetime | None:
    """The deadline of the week's report the board counts (the one /summary counts: this
    week's reporting day, today included, at its time); none without a weekly report."""
    if report is None:
        return None
    return datetime.combine(reporting_day(report.weekday, now, tz), report.at, tzinfo=tz)


def soon_until(today: date, cal: WorkCalendar, n: int = SOON_WORKING_DAYS) -> date:
    """The last 办结时间 that is "due soon" today: the n-th working day after today (a problem
    due today counts too, being not yet overdue)."""
    return cal.add_working_days(today, n)


def day_bounds(today: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The local day `today` as an interval of aware datetimes [start, end)."""
    start = datetime.combine(today, datetime.min.time(), tzinfo=tz)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class UnitFacts:
    """What the rule reads of one unit at one moment."""

    problems_overdue: int = 0
    problems_due_soon: int = 0  # not closed out nor awaiting it, due within the soon window
    report: str = NO_REPORT  # see report_state
    cases_overdue: int = 0
    cases_due_today: int = 0  # not answered, due later today


NOTHING_DUE = UnitFacts()


@dataclass(frozen=True)
class Verdict:
    """A unit's colour and why, most serious reason first (no reason: green)."""

    colour: str
    reasons: tuple[str, ...] = ()


ON_TRACK = Verdict(GREEN)


def standing(f: UnitFacts) -> Verdict:
    """The unit's colour by the rule above, and the reasons (the page's words `g_why_*`)."""
    red = tuple(
        key
        for key, hit in (
            ("problems_overdue", f.problems_overdue > 0),
            ("report_missing", f.report == MISSING),
            ("cases_overdue", f.cases_overdue > 0),
        )
        if hit
    )
    yellow = tuple(
        key
        for key, hit in (
            ("report_due", f.report == DUE),
            ("problems_due_soon", f.problems_due_soon > 0),
            ("cases_due_today", f.cases_due_today > 0),
        )
        if hit
    )
    if red:
        return Verdict(RED, red + yellow)
    if yellow:
        return Verdict(YELLOW, yellow)
    return ON_TRACK
