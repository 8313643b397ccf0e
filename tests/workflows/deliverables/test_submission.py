"""Submitting a deliverable: on time up to the due minute, to whom a deadline applies, /missing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from workflows.deliverables.submission import (
    Deliverable,
    applies_to,
    deadline_state,
    is_roster,
    nearest_missing,
    read_choice,
    submit,
)

DUE = datetime(2026, 5, 5, 10, tzinfo=UTC)  # 5月5日18:00 in Shanghai


def test_a_deliverable_is_on_time_up_to_its_due_minute():
    summary = Deliverable("自查自纠阶段总结", DUE, deadline_id=3)
    assert submit("轮台县", summary, {}, at=DUE).on_time
    late = submit("轮台县", summary, {}, at=DUE + timedelta(minutes=1))
    assert not late.on_time and late.said.params["status"].id == "submit.late"


def test_a_deadlines_submission_names_the_deadline_and_a_weekly_one_its_period():
    files = {"files": [{"name": "总结.docx"}], "note": "见附件"}
    by_deadline = submit("轮台县", Deliverable("总结", DUE, deadline_id=3), files, at=DUE)
    assert (by_deadline.deadline_id, by_deadline.report_name) == (3, "")
    assert (by_deadline.note, by_deadline.files) == ("见附件", ({"name": "总结.docx"},))
    weekly = submit(
        "轮台县", Deliverable("工作台账", DUE, period_start=date(2026, 5, 4)), {}, at=DUE
    )
    assert (weekly.deadline_id, weekly.report_name, weekly.period_start) == (
        None,
        "工作台账",
        date(2026, 5, 4),
    )


def test_a_submit_button_names_a_deadline_or_a_weekly_report():
    assert read_choice("d:12") == ("deadline", 12)
    assert read_choice("w:0") == ("weekly", 0)


def test_a_deadline_without_units_applies_to_all():
    assert applies_to(None, "轮台县")
    assert applies_to(["轮台县"], "轮台县") and not applies_to(["尉犁县"], "轮台县")


def test_the_roster_deliverable_is_recognised_by_its_name():
    assert is_roster("联络员名单")
    assert not is_roster("自查自纠阶段总结")


def test_a_units_state_on_a_deadline():
    assert deadline_state(done=True, due=DUE, now=DUE + timedelta(days=1)).id == (
        "deadlines.status.done"
    )
    assert deadline_state(done=False, due=DUE, now=DUE + timedelta(days=1)).id == (
        "deadlines.status.overdue"
    )
    assert deadline_state(done=False, due=DUE, now=DUE).id == "deadlines.status.open"


def test_missing_reports_an_overdue_deadline_before_a_nearer_upcoming_one():
    now = DUE
    pending = [(now + timedelta(hours=1), "soon"), (now - timedelta(days=9), "overdue")]
    assert nearest_missing(pending, now) == "overdue"
    assert (
        nearest_missing([(now + timedelta(days=3), "a"), (now + timedelta(days=1), "b")], now)
        == "b"
    )
    assert nearest_missing([], now) is None
