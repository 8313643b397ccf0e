"""The calendar as the database gives it: the admins' overrides win over the law's holidays of a
year without a notice, and an imported notice replaces the law's guess."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage.audit import Stamp
from storage.calendar import set_override, work_calendar
from storage.db import Database

STAMP = Stamp(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), 900001)


def test_an_override_wins_over_the_law(db: Database) -> None:
    with db.unit_of_work() as s:
        set_override(s, date(2027, 2, 8), True, "春节假期上班", STAMP)
    with db.unit_of_work() as s:
        cal = work_calendar(s)
    assert cal.is_workday(date(2027, 2, 8)) and not cal.is_workday(date(2027, 2, 5))
    assert not cal.is_workday(date(2027, 1, 1)) and cal.is_provisional(date(2027, 1, 1))
    assert [h.festival for h in cal.assumed_holidays(2027)][:2] == [
        "festival.new_year",
        "festival.spring",
    ]
    # 31 Dec: 4 Jan (after New Year's Day and the weekend), 5 Jan
    assert cal.add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 5)


def test_an_imported_notice_replaces_the_laws_guess(db: Database) -> None:
    with db.unit_of_work() as s:
        for day in (date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)):
            set_override(s, day, False, "元旦", STAMP, source="notice")
        set_override(s, date(2027, 1, 9), True, "调休上班", STAMP, source="notice")  # a Saturday
    with db.unit_of_work() as s:
        cal = work_calendar(s)
    assert cal.assumed_holidays(2027) == () and not cal.is_provisional(date(2027, 1, 4))
    assert cal.add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 5)
    assert cal.add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 9)  # the notice's Saturday
