"""The working-day calendar set through the use cases (/workday), on a real database and
without Telegram."""

from __future__ import annotations

from datetime import date

from bot.usecases.workdays import import_holiday_notice, set_workday, year_overview
from storage.calendar import overrides_in, work_calendar
from storage.db import Database
from tests.usecases.acting import said, world
from workflows.outcome import Refused

# The example line (a year whose 1 January is a Friday: 2027).
LINE_2027 = "一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。1月4日（周一）上班。"


def test_a_day_set_by_hand_changes_the_calendar_and_is_listed_with_its_year(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        act = world(s).act(1)
        saturday = date(2027, 2, 6)
        assert not work_calendar(s).is_workday(saturday)
        done = set_workday(act, "2027-2-6", "上班", "调休")
        assert not isinstance(done, Refused) and "2027" in said(act, done)
        assert work_calendar(s).is_workday(saturday)
        listed = said(act, year_overview(act, 2027))
        assert "调休" in listed and "2月6日" in listed
        refused = set_workday(act, "2027-2-30", "off", "")
        assert isinstance(refused, Refused) and refused.reason.id == "date.invalid"
        assert [r.day for r in overrides_in(s, 2027)] == [saturday]


def test_the_holiday_notice_is_read_into_the_calendar(db: Database) -> None:
    with db.unit_of_work() as s:
        act = world(s).act(1)
        read = import_holiday_notice(act, LINE_2027, 2027)
        assert read.params["holidays"] == 1 and read.params["workdays"] == 1
        cal = work_calendar(s)
        assert not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 1, 4))
        sources = {r.day: r.source for r in overrides_in(s, 2027)}
        assert sources[date(2027, 1, 4)] == "notice" and len(sources) == 4
