"""The board's order: the units furthest behind first; a case's lateness in working days."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.documents.summary import CaseFigures, LedgerFigures, UnitSummary
from workflows.supervision.board import Standing, behind_first, case_days_by_unit, unit_standing

BEIJING = ZoneInfo("Asia/Shanghai")


def unit(
    name: str,
    *,
    total: int = 4,
    closed: int = 0,
    overdue: int = 0,
    weekly: str = "on_time",
    cases_overdue: int = 0,
    days: int = 0,
) -> Standing:
    figures = LedgerFigures(total, closed, 0, overdue)
    summary = UnitSummary(name, figures, weekly, CaseFigures(overdue=cases_overdue))
    return unit_standing(0, summary, report=weekly, case_days=days)


def test_overdue_problems_come_first_then_a_week_not_reported_then_late_cases() -> None:
    rows = [
        unit("按时无逾期", closed=4),
        unit("今日待报", weekly="due"),
        unit("逾期报送", weekly="late"),
        unit("转办件逾期1天", cases_overdue=1, days=1),
        unit("未报送", weekly="missing"),
        unit("逾期问题1个", overdue=1),
        unit("转办件逾期3天", cases_overdue=1, days=3),
        unit("逾期问题3个", overdue=3),
        unit("整改中4个"),
    ]
    assert [r.summary.name for r in behind_first(rows)] == [
        "逾期问题3个",
        "逾期问题1个",
        "未报送",
        "转办件逾期3天",
        "转办件逾期1天",
        "今日待报",  # yellow: due today, not yet late
        "逾期报送",  # in, if late: green, before those with nothing late at all
        "整改中4个",
        "按时无逾期",
    ]
    behind = [r.behind for r in rows]
    assert behind == [False, False, False, True, True, True, True, True, False]
    assert [r.verdict.colour for r in rows[:3]] == ["green", "yellow", "green"]
    assert rows[0].open == 0 and rows[-1].open == 4


def test_a_case_is_late_by_working_days_the_worst_counts_for_its_unit() -> None:
    cal = WorkCalendar(OfficialDays.from_package())  # 国庆 2026: 1–7 October off
    due = datetime(2026, 9, 30, 10, tzinfo=UTC)  # Wednesday 30 Sep 18:00 in Beijing
    now = datetime(2026, 10, 9, 2, tzinfo=UTC)  # Friday 9 Oct, after the holidays
    days = case_days_by_unit(
        [("轮台县", due), ("轮台县", datetime(2026, 10, 8, 10, tzinfo=UTC)), ("尉犁县", now)],
        now,
        cal,
        BEIJING,
    )
    assert days == {"轮台县": 2, "尉犁县": 1}  # 8 and 9 Oct; a case due today: at least one
