"""Feedback on a forwarded case: on time or late by working days; answered once; signed once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.casework.cases import CaseNow
from workflows.casework.feedback import give_feedback, may_sign
from workflows.outcome import Refused

CST = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())
DUE = datetime(2026, 11, 24, 18, tzinfo=CST)  # Tuesday
CASE = CaseNow(5, "ZB-0005", "轮台县", answered=False, due_at=DUE)
DONE = {"text": "已核查", "status": "已办结"}


def give(at: datetime, values=DONE, case: CaseNow = CASE):
    return give_feedback(case, values, who="张三", at=at, cal=CAL, tz=CST)


def test_feedback_by_the_due_time_is_on_time():
    given = give(datetime(2026, 11, 24, 17, 59, tzinfo=CST))
    assert not isinstance(given, Refused)
    assert given.on_time and given.late_days == 0
    assert given.report.key == "case:5:feedback"
    assert given.said.params["timing"].id == "feedback.on_time"


def test_feedback_after_the_due_time_is_late_by_working_days():
    late_same_day = give(datetime(2026, 11, 24, 19, tzinfo=CST))
    assert not isinstance(late_same_day, Refused) and late_same_day.late_days == 1
    next_monday = give(datetime(2026, 11, 30, 9, tzinfo=CST))  # Wed, Thu, Fri, Mon
    assert not isinstance(next_monday, Refused) and next_monday.late_days == 4
    assert not next_monday.on_time


def test_ongoing_feedback_keeps_the_expected_day_and_the_materials_note():
    values = {
        "text": "正在整改",
        "status": "正在办理",
        "expected": "2026-12-10",
        "material": {"files": [{"name": "方案.docx"}], "note": "附方案"},
    }
    given = give(datetime(2026, 11, 23, 10, tzinfo=CST), values)
    assert not isinstance(given, Refused)
    assert given.expected_on == date(2026, 12, 10)
    assert given.text == "正在整改\n附方案"
    assert given.files == ({"name": "方案.docx"},)


def test_an_answered_case_takes_no_second_feedback():
    answered = CaseNow(5, "ZB-0005", "轮台县", answered=True, due_at=DUE)
    refused = give(datetime(2026, 11, 23, 10, tzinfo=CST), case=answered)
    assert isinstance(refused, Refused) and refused.reason.id == "case.already_answered"


def test_a_case_is_signed_for_once():
    assert may_sign(CASE) is None
    signed = CaseNow(
        5, "ZB-0005", "轮台县", False, DUE, signed=("李四", datetime(2026, 11, 23, tzinfo=UTC))
    )
    refused = may_sign(signed)
    assert refused is not None and refused.reason.params["who"] == "李四"
