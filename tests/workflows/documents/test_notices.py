"""已阅's ladder: due by the end of the next working day, one reminder in working hours, then
the supervisors; Chinese working days (weekends, 国庆, the make-up Saturday)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.documents.notices import (
    NoticeState,
    Receipt,
    ladder,
    read_by,
    read_late,
    receipt_answer,
)
from workflows.messages import msg

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())


def at(text: str) -> datetime:
    """A moment in Beijing."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def sent(when: str, read: dict[int, str] | None = None) -> NoticeState:
    receipts = {u: Receipt(u, "张三", at(t)) for u, t in (read or {}).items()}
    return NoticeState(1, "通知", at(when), (1, 2, 3), receipts)


@pytest.mark.parametrize(
    ("when", "due"),
    [
        ("2026-03-05 10:00", "2026-03-06 18:00"),  # Thursday → Friday
        ("2026-03-06 10:00", "2026-03-09 18:00"),  # Friday → Monday
        ("2026-03-07 10:00", "2026-03-09 18:00"),  # Saturday: the day itself never counts
        ("2026-09-30 10:00", "2026-10-08 18:00"),  # before 国庆 → the day after it
        ("2026-02-13 10:00", "2026-02-14 18:00"),  # Friday → the make-up Saturday
    ],
)
def test_a_notice_is_due_read_by_the_end_of_the_next_working_day(when: str, due: str) -> None:
    assert read_by(at(when), CAL, SH) == at(due)


@pytest.mark.parametrize(
    ("now", "reminded", "stages"),
    [
        ("2026-03-06 17:59", False, []),  # Friday, before it is due
        ("2026-03-06 19:00", False, []),  # due, but out of working hours
        ("2026-03-07 11:00", False, []),  # Saturday
        ("2026-03-09 08:59", False, []),  # Monday, before work
        ("2026-03-09 09:00", False, ["remind"]),
        ("2026-03-09 17:00", True, ["remind"]),  # its key is taken: planned once
        ("2026-03-09 18:00", True, ["supervisors"]),  # the end of the reminder's day
        ("2026-03-09 18:00", False, []),  # never the supervisors before the unit was reminded
        ("2026-03-10 10:00", True, ["remind", "supervisors"]),
    ],
)
def test_the_ladder_reminds_in_working_hours_then_tells_the_supervisors(
    now: str, reminded: bool, stages: list[str]
) -> None:
    notice = sent("2026-03-05 10:00", read={1: "2026-03-05 11:00"})
    due = ladder(notice, now=at(now), cal=CAL, tz=SH, reminded=reminded)
    assert [s.name for s in due] == stages
    assert all(s.units == (2, 3) for s in due)


def test_nothing_climbs_once_every_unit_has_read_it() -> None:
    notice = sent("2026-03-05 10:00", read={u: "2026-03-09 10:00" for u in (1, 2, 3)})
    assert ladder(notice, now=at("2026-03-10 10:00"), cal=CAL, tz=SH, reminded=True) == []
    assert read_late(notice, CAL, SH) == (1, 2, 3)  # all read after Friday 18:00


def test_a_second_press_says_who_read_it_and_records_nothing() -> None:
    earlier = Receipt(1, "张三", at("2026-03-04 10:12"))
    assert receipt_answer("甲县", earlier, at("2026-03-05 09:00")) == msg(
        "notices.read_before", by="张三", at=at("2026-03-04 10:12")
    )
