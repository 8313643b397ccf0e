"""A unit's three colours: nothing against a unit before anything is due; red for what is
late, yellow for what falls due soon, green otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.campaign import RecurringSpec
from workflows.supervision.colours import GREEN, RED, YELLOW
from workflows.supervision.standing import (
    DUE,
    LATE,
    MISSING,
    NO_REPORT,
    ON_TIME,
    UnitFacts,
    Verdict,
    report_state,
    soon_until,
    standing,
    week_deadline,
)

BEIJING = ZoneInfo("Asia/Shanghai")
WEEKLY = RecurringSpec("工作台账", 0, time(18, 0))  # 每周一18:00
MONDAY_10 = datetime(2024, 3, 4, 2, tzinfo=UTC)  # Monday 4 March 10:00 in Beijing
MONDAY_18 = datetime(2024, 3, 4, 10, tzinfo=UTC)  # the deadline itself


def test_at_ten_on_report_day_the_deadline_is_today_at_six_and_nothing_is_missing() -> None:
    deadline = week_deadline(WEEKLY, MONDAY_10, BEIJING)
    assert deadline == MONDAY_18
    assert report_state(None, deadline, MONDAY_10) == DUE
    assert report_state(None, deadline, MONDAY_18) == MISSING  # from the deadline on
    assert report_state(ON_TIME, deadline, MONDAY_10) == ON_TIME
    assert report_state(LATE, deadline, MONDAY_18) == LATE
    assert report_state(None, None, MONDAY_10) == NO_REPORT
    # on Wednesday the week's report was Monday's, long past
    wednesday = datetime(2024, 3, 6, 2, tzinfo=UTC)
    assert week_deadline(WEEKLY, wednesday, BEIJING) == MONDAY_18
    assert week_deadline(None, wednesday, BEIJING) is None


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        (UnitFacts(report=ON_TIME), Verdict(GREEN)),  # no problem, report in: green
        (UnitFacts(report=LATE), Verdict(GREEN)),  # in, if late: said in words, not colour
        (UnitFacts(report=NO_REPORT), Verdict(GREEN)),
        (UnitFacts(report=DUE), Verdict(YELLOW, ("report_due",))),  # not yet due: never red
        (UnitFacts(report=ON_TIME, problems_due_soon=2), Verdict(YELLOW, ("problems_due_soon",))),
        (UnitFacts(report=ON_TIME, cases_due_today=1), Verdict(YELLOW, ("cases_due_today",))),
        (UnitFacts(report=MISSING), Verdict(RED, ("report_missing",))),
        (UnitFacts(report=ON_TIME, problems_overdue=1), Verdict(RED, ("problems_overdue",))),
        (UnitFacts(report=ON_TIME, cases_overdue=1), Verdict(RED, ("cases_overdue",))),
        (
            UnitFacts(report=DUE, problems_overdue=3, cases_overdue=1),
            Verdict(RED, ("problems_overdue", "cases_overdue", "report_due")),
        ),
    ],
)
def test_red_for_what_is_late_yellow_for_what_is_due_soon(
    facts: UnitFacts, verdict: Verdict
) -> None:
    assert standing(facts) == verdict


def test_due_soon_counts_working_days_past_a_holiday() -> None:
    cal = WorkCalendar(OfficialDays.from_package())
    # Friday 29 March 2024: three working days on is Wednesday 3 April
    assert soon_until(date(2024, 3, 29), cal) == date(2024, 4, 3)
    # Wednesday 3 April 2024, before 清明 (4–6 April off, Sunday 7 April worked)
    assert soon_until(date(2024, 4, 3), cal) == date(2024, 4, 9)
