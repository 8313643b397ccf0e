"""Working days and the feedback rule: the table of due dates from the issue and DESIGN §5."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar, feedback_due

CST = ZoneInfo("Asia/Shanghai")
OFFICIAL = OfficialDays.from_package()


def at(text: str) -> datetime:
    """A local Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(OFFICIAL)


DUE = [
    ("2026-11-20 10:00", "2026-11-24 18:00"),  # Friday -> Tuesday
    ("2026-11-21 10:00", "2026-11-24 18:00"),  # Saturday -> Tuesday
    ("2026-11-22 23:30", "2026-11-24 18:00"),  # Sunday night -> Tuesday
    ("2026-11-20 19:30", "2026-11-24 18:00"),  # after the cutoff: the day still never counts
    ("2026-11-23 09:00", "2026-11-25 18:00"),  # Monday -> Wednesday
    ("2026-02-13 10:00", "2026-02-24 18:00"),  # make-up Saturday 14 Feb is the first day
    ("2026-02-14 10:00", "2026-02-25 18:00"),  # received on the make-up Saturday itself
    ("2026-02-15 10:00", "2026-02-25 18:00"),  # Spring Festival holiday
    ("2026-02-26 10:00", "2026-02-28 18:00"),  # make-up Saturday 28 Feb counts
    ("2026-09-18 10:00", "2026-09-21 18:00"),  # Friday, then make-up Sunday 20 Sep
    ("2026-09-30 10:00", "2026-10-09 18:00"),  # National Day 1–7 Oct: 8 Oct, then 9 Oct
    ("2026-10-01 10:00", "2026-10-09 18:00"),
    ("2026-10-08 10:00", "2026-10-10 18:00"),  # 9 Oct, then the make-up Saturday 10 Oct
]


@pytest.mark.parametrize(("received", "due"), DUE)
def test_feedback_due(cal: WorkCalendar, received: str, due: str) -> None:
    assert feedback_due(at(received), working_days=2, cutoff=time(18), cal=cal, tz=CST) == at(due)


def test_package_find_workday_is_not_our_rule(cal: WorkCalendar) -> None:
    saturday = date(2026, 11, 21)
    assert chinese_calendar.find_workday(2, saturday) == date(2026, 11, 25)
    assert cal.add_working_days(saturday, 2) == date(2026, 11, 24)


def test_a_year_the_package_does_not_know_is_provisional(cal: WorkCalendar) -> None:
    assert cal.is_provisional(date(2027, 1, 4)) and not cal.is_provisional(date(2026, 1, 5))
    # Friday 1 Jan 2027 -> Monday 4, Tuesday 5 (the day received never counts)
    assert cal.add_working_days(date(2027, 1, 1), 2) == date(2027, 1, 5)
    assert cal.provisional_years([date(2026, 12, 31), date(2027, 1, 4)]) == {2027}


def test_an_override_corrects_a_provisional_year() -> None:
    cal = WorkCalendar(OFFICIAL, {date(2027, 1, 4): False, date(2027, 2, 6): True})
    assert cal.add_working_days(date(2027, 1, 1), 2) == date(2027, 1, 6)
    assert cal.is_workday(date(2027, 2, 6))  # a Saturday made a working day
    assert cal.is_provisional(date(2027, 3, 1))  # overrides alone do not make a year official
    imported = WorkCalendar(OFFICIAL, {date(2027, 1, 4): False}, imported_years={2027})
    assert not imported.is_provisional(date(2027, 3, 1))


def test_an_override_wins_over_official_data() -> None:
    cal = WorkCalendar(OFFICIAL, {date(2026, 11, 23): False})
    assert cal.add_working_days(date(2026, 11, 20), 2) == date(2026, 11, 25)


def test_across_the_new_year(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)  # make-up Sunday
    # 31 Dec, then New Year's Day 2027 (off by law, though no notice is out) and the weekend
    assert cal.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_working_days_between(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 11, 24), date(2026, 11, 24)) == 0
    assert cal.working_days_between(date(2026, 11, 24), date(2026, 12, 1)) == 5
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_agrees_with_the_package_over_its_whole_range(cal: WorkCalendar) -> None:
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day = date.fromordinal(day.toordinal() + 1)


def test_n_must_be_positive(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 1, 1), 0)
