"""This week's report: the next due, or the last if overdue and unsubmitted; never before the
campaign's start. Every weekday of the report, and every day and hour around it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.week.periods import campaign_period, campaign_span, report_period

CST = ZoneInfo("Asia/Shanghai")
AT = time(18, 0)


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CST)


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("hour", [9, 18, 21])
def test_every_weekday_and_the_days_around_it(weekday: int, hour: int) -> None:
    start = date(2026, 11, 2)  # a Monday; the campaign runs long before the days checked
    for offset in range(-8, 9):
        today = date(2026, 11, 23) + timedelta(days=offset)
        now = local(today, hour)
        coming = report_period(weekday, AT, now, CST, starts_on=start, submitted=lambda d: True)
        assert coming.weekday() == weekday
        assert datetime.combine(coming, AT, tzinfo=CST) > now  # due after now
        assert coming - today < timedelta(days=7) or (today.weekday() == weekday and hour >= 18)
        last = report_period(weekday, AT, now, CST, starts_on=start)  # nothing submitted
        if today.weekday() == weekday and hour < 18:
            assert last == coming == today  # on the reporting day: that day's report
        else:
            assert last == coming - timedelta(days=7)  # the overdue one comes first
            assert datetime.combine(last, AT, tzinfo=CST) <= now


def test_the_report_day_before_and_after_its_time() -> None:
    sunday = date(2026, 11, 29)
    done = lambda d: True  # noqa: E731
    # on the day, before 18:00, that day's report even if last week's was never sent
    assert report_period(6, AT, local(sunday, 17), CST) == sunday
    assert report_period(6, AT, local(sunday, 17), CST, submitted=done) == sunday
    assert report_period(6, AT, local(sunday, 19), CST, submitted=done) == date(2026, 12, 6)
    saturday = date(2026, 11, 28)
    assert report_period(6, AT, local(saturday, 10), CST, submitted=done) == sunday


def test_never_a_report_before_the_campaign_begins() -> None:
    # issue: report due on Sunday, the phase begins on Saturday 28 Nov; /weekly on that day
    saturday = date(2026, 11, 28)
    got = report_period(6, AT, local(saturday, 10), CST, starts_on=saturday)
    assert got == date(2026, 11, 29)
    # long before the start: the first report of the campaign
    got = report_period(0, AT, local(date(2026, 10, 1), 10), CST, starts_on=saturday)
    assert got == date(2026, 11, 30)


def test_the_campaign_is_over_after_its_last_phase_and_deadline() -> None:
    phases = [(date(2024, 2, 1), date(2024, 2, 20)), (date(2024, 2, 21), date(2024, 9, 5))]
    span = campaign_span(phases, [datetime(2024, 9, 5, 10, 0, tzinfo=CST)], CST)
    assert span.starts_on == date(2024, 2, 1)
    assert not span.over(local(date(2024, 9, 5), 23))
    assert span.over(local(date(2024, 9, 6), 0) + timedelta(seconds=1))
    assert not span.started(date(2024, 1, 31)) and span.started(date(2024, 2, 1))
    assert not campaign_span([], [], CST).over(local(date(2099, 1, 1), 0))


def test_for_the_whole_campaign_the_next_report_or_with_latest_the_most_recent():
    sh = ZoneInfo("Asia/Shanghai")
    tuesday = datetime(2026, 11, 24, 10, tzinfo=sh)
    assert campaign_period(0, time(18), tuesday, sh) == date(2026, 11, 30)
    assert campaign_period(0, time(18), tuesday, sh, latest=True) == date(2026, 11, 23)
    later = date(2026, 12, 1)  # the campaign starts next week: never a day before it
    assert campaign_period(0, time(18), tuesday, sh, starts_on=later, latest=True) == date(
        2026, 12, 7
    )
