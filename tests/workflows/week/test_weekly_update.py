"""A week's answers: done asks for close-out, late moves the planned date, raced items stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from workflows import keys
from workflows.problems.ledger import ItemChanges, Status
from workflows.week.week_answers import WeekAnswers
from workflows.week.weekly import DONE, EXPIRED, LATE, LIVE, PLAN, TAKEN_OVER, other_draft_fate
from workflows.week.weekly_update import ItemNow, decide_week, summary_to_groups

DUE = datetime(2026, 11, 23, 10, tzinfo=UTC)  # Monday 18:00 in Shanghai
CONTEXT = {
    "unit": "轮台县",
    "report_name": "工作台账",
    "period": "2026-11-23",
    "due": DUE.isoformat(),
    "items": [
        {"id": 1, "code": "轮台-001", "version": 2},
        {"id": 2, "code": "轮台-002", "version": 5},
    ],
}
NOW = {
    1: ItemNow(1, "轮台-001", 2, {"lead": "住建局"}),
    2: ItemNow(2, "轮台-002", 5, {}),
}


def test_an_item_reported_done_goes_to_closing_and_its_close_out_is_asked():
    values = {"i1.status": DONE, "i1.result": "已交付", "i1.evidence": {"files": [{"name": "a"}]}}
    week = decide_week(CONTEXT, WeekAnswers(values), NOW, at=DUE)
    (change,) = week.changes
    assert change.changes == ItemChanges(status=Status.CLOSING)
    assert change.progress.result == "已交付" and change.progress.files == ({"name": "a"},)
    assert week.closeouts == (change,)


def test_a_late_item_moves_its_planned_date_and_is_recorded_late():
    values = {"i1.status": LATE, "i1.reason": "资金未到位", "i1.planned": "2026-12-31"}
    week = decide_week(CONTEXT, WeekAnswers(values), NOW, at=DUE)
    (change,) = week.changes
    assert change.changes == ItemChanges(fields={"lead": "住建局", "planned_on": "2026-12-31"})
    assert change.progress.status == LATE
    assert change.progress.new_due_on == date(2026, 12, 31)
    assert change.progress.reason == "资金未到位"
    assert week.closeouts == ()


def test_progress_on_plan_changes_nothing_but_is_recorded():
    week = decide_week(
        CONTEXT, WeekAnswers({"i2.status": PLAN, "i2.progress": "已约谈"}), NOW, at=DUE
    )
    (change,) = week.changes
    assert (
        change.changes == ItemChanges() and not change.changes and change.progress.text == "已约谈"
    )


def test_an_item_changed_by_someone_else_meanwhile_is_left_alone():
    moved = {**NOW, 2: ItemNow(2, "轮台-002", 6, {})}
    values = {"i1.status": PLAN, "i2.status": DONE}
    week = decide_week(CONTEXT, WeekAnswers(values), moved, at=DUE)
    assert [c.item_id for c in week.changes] == [1]
    assert week.conflicts == ("轮台-002",)
    assert week.answered == 1


def test_the_week_is_on_time_up_to_its_due_time():
    assert decide_week(CONTEXT, WeekAnswers({}), NOW, at=DUE).on_time
    late = decide_week(CONTEXT, WeekAnswers({}), NOW, at=datetime(2026, 11, 23, 11, tzinfo=UTC))
    assert not late.on_time
    assert late.summary().params["status"].id == "submit.late"


def test_a_week_reported_in_private_is_summed_up_in_the_units_groups_once():
    assert summary_to_groups(in_group=False) and not summary_to_groups(in_group=True)
    assert keys.weekly_summary(4, date(2026, 11, 23), -9) == "weekly:4:2026-11-23:summary:chat:-9"


def test_another_liaisons_weekly_draft_expires_with_its_week_or_is_taken_over_when_idle():
    ctx = {"due": DUE.isoformat()}
    assert other_draft_fate(ctx, DUE, DUE + timedelta(minutes=29)) == LIVE
    assert other_draft_fate(ctx, DUE, DUE + timedelta(minutes=30)) == TAKEN_OVER
    assert other_draft_fate(ctx, DUE + timedelta(days=7), DUE + timedelta(days=7)) == EXPIRED
