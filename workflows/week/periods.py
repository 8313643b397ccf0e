"""Which week a weekly report is for, and when a campaign is over.

"This week's" report is the next one due, or the last one if it is overdue and not yet
submitted; never one before the campaign's first phase begins. On the reporting day itself,
before its time, it is that day's report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

WEEK = timedelta(days=7)


def reporting_day(weekday: int, now: datetime, tz: tzinfo) -> date:
    """The most recent day (today included) that falls on `weekday`, in local time."""
    today = now.astimezone(tz).date()
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def first_on_or_after(day: date, weekday: int) -> date:
    """The first date from `day` on that falls on `weekday`."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def report_period(
    weekday: int,
    at: time,
    now: datetime,
    tz: tzinfo,
    *,
    starts_on: date | None = None,
    submitted: Callable[[date], bool] = lambda day: False,
) -> date:
    """The reporting day of this week's report for a unit (see the module's docstring)."""
    last = reporting_day(weekday, now, tz)
    if starts_on is not None and last + WEEK < starts_on:
        return first_on_or_after(starts_on, weekday)
    if datetime.combine(last, at, tzinfo=tz) > now:  # the report day itself, before its time:
        return max(last, first_on_or_after(starts_on or last, weekday))  # today's report
    coming, previous = last + WEEK, last
    if starts_on is not None and coming < starts_on:
        return first_on_or_after(starts_on, weekday)
    if (starts_on is None or previous >= starts_on) and not submitted(previous):
        return previous
    return coming


def campaign_period(
    weekday: int,
    at: time,
    now: datetime,
    tz: tzinfo,
    *,
    starts_on: date | None = None,
    latest: bool = False,
) -> date:
    """The reporting day of a weekly report for the whole campaign: the next one due (as if
    every unit had reported the last), or with `latest` the most recent one (today included,
    as /missing asks); never one before the campaign starts."""
    day = report_period(weekday, at, now, tz, starts_on=starts_on, submitted=lambda _: True)
    recent = reporting_day(weekday, now, tz)
    if latest and (starts_on is None or recent >= starts_on):
        return recent
    return day


@dataclass(frozen=True)
class CampaignSpan:
    """From the first phase's start to the last phase's end or the last deadline."""

    starts_on: date | None
    ends_at: datetime | None

    def over(self, now: datetime) -> bool:
        """Whether every phase and every deadline is behind us."""
        return self.ends_at is not None and now > self.ends_at

    def started(self, day: date) -> bool:
        """Whether the campaign has begun by `day`."""
        return self.starts_on is None or day >= self.starts_on


def campaign_span(
    phases: Iterable[tuple[date, date]], deadlines: Iterable[datetime], tz: tzinfo
) -> CampaignSpan:
    """The span of the campaign's phases (start, end days) and deadlines (due times)."""
    phase_list, due_list = list(phases), list(deadlines)
    starts_on = min((s for s, _ in phase_list), default=None)
    ends = [datetime.combine(e + timedelta(days=1), time(0), tzinfo=tz) for _, e in phase_list]
    ends += due_list
    if not phase_list:  # no phases: the campaign runs as long as it has deadlines to come
        return CampaignSpan(None, None)
    return CampaignSpan(starts_on, max(ends))
