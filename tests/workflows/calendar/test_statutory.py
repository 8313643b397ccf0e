"""The law's holidays, computed: checked against the State Council's published years and
against dates known from the almanac."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from workflows.calendar.statutory import days_off_by_law, holidays_by_law, statutory_holidays
from workflows.calendar.working_days import OfficialDays, WorkCalendar

OFFICIAL = OfficialDays.from_package()
# our festival names and the package's for the same holiday
PACKAGE_NAME = {
    "festival.new_year": chinese_calendar.Holiday.new_years_day,
    "festival.spring": chinese_calendar.Holiday.spring_festival,
    "festival.qingming": chinese_calendar.Holiday.tomb_sweeping_day,
    "festival.labour": chinese_calendar.Holiday.labour_day,
    "festival.dragon_boat": chinese_calendar.Holiday.dragon_boat_festival,
    "festival.mid_autumn": chinese_calendar.Holiday.mid_autumn_festival,
    "festival.national": chinese_calendar.Holiday.national_day,
}


def official_festival(day: date) -> str | None:
    """The package's name of the holiday `day` is off for, or None on a day people work."""
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return name if on_holiday else None


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_the_law_gives_is_off_for_that_festival_in_the_official_year(year: int) -> None:
    computed = {(day, h.festival) for h in holidays_by_law(year) for day in h.days()}
    assert len(computed) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 days
    for day, festival in computed:
        assert official_festival(day) == PACKAGE_NAME[festival].value, (day, festival)


def test_the_lunar_festivals_and_qingming_match_every_published_year() -> None:
    # Qingming, Dragon Boat and Mid-Autumn are holidays since 2008; the 1st to 3rd of the 1st
    # month were off every year, New Year's Eve in 2008–2013 and again from 2025
    lunar = {"festival.qingming", "festival.dragon_boat", "festival.mid_autumn"}
    checked = 0
    for year in range(2008, 2027):
        festivals: dict[date, set[str]] = {}  # Mid-Autumn fell on 1 October in 2020
        for h in statutory_holidays(year):
            for day in h.days():
                festivals.setdefault(day, set()).add(PACKAGE_NAME[h.festival].value)
        for h in statutory_holidays(year):
            days = h.days() if h.festival in lunar else []
            if h.festival == "festival.spring":
                eve_off = year <= 2013 or year >= 2025
                days = h.days() if eve_off else h.days()[1:]
            for day in days:
                assert not chinese_calendar.is_workday(day), (day, h)
                # the package names a weekend day of a holiday only where the notice did
                named = official_festival(day)
                assert named in festivals[day] or (named is None and day.weekday() >= 5), day
                checked += 1
    assert checked == 19 * 6 + 8  # 3 lunar days and 3 or 4 of the Spring Festival a year


def test_new_years_eve_is_the_last_day_of_the_twelfth_month() -> None:
    # the almanac: 除夕 2024 was 9 Feb (腊月三十), 2025 28 Jan (腊月廿九), 2026 16 Feb (廿九),
    # 2027 5 Feb (腊月廿九), 2028 25 Jan (腊月廿九), 2030 2 Feb (腊月三十)
    eves = {2024: (2, 9), 2025: (1, 28), 2026: (2, 16), 2027: (2, 5), 2028: (1, 25), 2030: (2, 2)}
    for year, (month, day) in eves.items():
        spring = next(h for h in statutory_holidays(year) if h.festival == "festival.spring")
        assert spring.start == date(year, month, day)
        assert spring.end == date(year, month, day) + timedelta(3)


LAW_2027 = [
    ("festival.new_year", date(2027, 1, 1), date(2027, 1, 1)),
    ("festival.spring", date(2027, 2, 5), date(2027, 2, 8)),
    ("festival.qingming", date(2027, 4, 5), date(2027, 4, 5)),
    ("festival.labour", date(2027, 5, 1), date(2027, 5, 2)),
    ("festival.dragon_boat", date(2027, 6, 9), date(2027, 6, 9)),
    ("festival.mid_autumn", date(2027, 9, 15), date(2027, 9, 15)),
    ("festival.national", date(2027, 10, 1), date(2027, 10, 3)),
]


def test_the_law_in_2027() -> None:
    assert [(h.festival, h.start, h.end) for h in holidays_by_law(2027)] == LAW_2027


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 31), True),  # Thursday of an official year
        (date(2027, 1, 1), False),  # New Year's Day, a Friday
        (date(2027, 1, 4), True),
        (date(2027, 2, 4), True),  # the day before New Year's Eve
        (date(2027, 2, 5), False),  # New Year's Eve, a Friday
        (date(2027, 2, 8), False),  # the 3rd of the 1st month, a Monday
        (date(2027, 2, 9), True),
        (date(2027, 4, 5), False),  # Qingming, a Monday
        (date(2027, 5, 3), True),  # Labour Day is 1–2 May, a weekend: no day in lieu invented
        (date(2027, 6, 9), False),  # Dragon Boat, a Wednesday
        (date(2027, 9, 15), False),  # Mid-Autumn, a Wednesday
        (date(2027, 10, 1), False),  # National Day, a Friday
        (date(2027, 10, 4), True),  # 2–3 Oct are a weekend: no day in lieu invented
        (date(2027, 2, 6), False),  # a Saturday stays off: no make-up day invented
    ],
)
def test_2027_without_a_notice(day: date, working: bool) -> None:
    cal = WorkCalendar(OFFICIAL)
    assert cal.is_workday(day) is working
    assert cal.is_provisional(day) is (day.year == 2027)


def test_a_case_forwarded_on_new_years_eve_2026_skips_new_years_day() -> None:
    cal = WorkCalendar(OFFICIAL)
    # Friday 1 Jan 2027 off, then the weekend: Monday 4 is the first working day, Tuesday 5
    # the second (before, 1 Jan counted and the answer was Monday 4)
    assert cal.add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 5)
    assert cal.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 9)
    assert cal.working_days_between(date(2027, 1, 31), date(2027, 2, 28)) == 20 - 2


def test_an_override_wins_over_the_law_and_a_notice_replaces_it() -> None:
    cal = WorkCalendar(OFFICIAL, {date(2027, 2, 8): True, date(2027, 2, 4): False})
    assert cal.is_workday(date(2027, 2, 8)) and not cal.is_workday(date(2027, 2, 4))
    assert cal.assumed_holidays(2027) == holidays_by_law(2027)
    # once the notice is imported its days (overrides) rule, and nothing is assumed
    imported = WorkCalendar(OFFICIAL, {date(2027, 2, 6): False}, imported_years={2027})
    assert imported.assumed_holidays(2027) == ()
    assert imported.is_workday(date(2027, 2, 8)) and not imported.is_provisional(date(2027, 2, 8))


def test_nothing_is_assumed_for_a_known_year_or_before_the_law() -> None:
    cal = WorkCalendar(OFFICIAL)
    assert cal.assumed_holidays(2026) == ()
    assert holidays_by_law(2024) == () and days_off_by_law(2003) == frozenset()
    assert cal.is_workday(date(2003, 1, 1))  # outside the package's years, before the law
