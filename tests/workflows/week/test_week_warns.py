"""The week warns: a problem past its 办结时间 is marked with its working days late, reported
按计划推进 it needs a reason and a new date as 进度滞后 does, a planned date is never in the past
in any form, a close-out asked from the week is left to it, and a late update says why."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.forms import engine as forms
from workflows.forms.flow_page import fill
from workflows.forms.inputs import FormEnv, InputError, TextAnswer
from workflows.messages import msg
from workflows.problems.ledger import LedgerSpec, item_steps, overdue_days
from workflows.week.week_answers import WeekAnswers
from workflows.week.week_page import asked_closing, missing, read_item, with_answers
from workflows.week.weekly import LATE, PLAN, SAME, overdue_name, progress_said, weekly_flow
from workflows.week.weekly_update import ItemNow, decide_week

CAL = WorkCalendar(OfficialDays.from_package())
ENV = FormEnv(datetime(2024, 3, 4, 2, 0, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))  # Mon 10:00
CONTEXT = {
    "unit": "轮台县",
    "unit_id": 1,
    "report": 0,
    "report_name": "工作台账",
    "period": "2024-03-04",
    "due": "2024-03-04T18:00:00+08:00",
    "ledger": None,
    "items": [
        # 办结时间 Friday 1 March: two working days late on Tuesday 5 March
        {"id": 7, "code": "轮台-001", "name": "未按期回迁", "version": 1, "due": "2024-03-01"}
        | {"last": "", "overdue": 2},
        {"id": 8, "code": "轮台-002", "name": "过渡费", "version": 3, "due": "2024-06-30"}
        | {"last": "", "overdue": 0},
    ],
}
FLOW = weekly_flow(CONTEXT)


@pytest.mark.parametrize(
    ("due", "today", "status", "days"),
    [
        (date(2024, 3, 1), date(2024, 3, 1), "open", 0),  # due today: not late yet
        (date(2024, 3, 1), date(2024, 3, 2), "open", 1),  # the Saturday after: at least one
        (date(2024, 3, 1), date(2024, 3, 5), "open", 2),  # Monday and Tuesday
        # Spring Festival: Fri 9 Feb, the make-up Sunday 18 Feb and Mon 19 Feb; 10–17 Feb off
        (date(2024, 2, 8), date(2024, 2, 19), "open", 3),
        (date(2024, 3, 1), date(2024, 3, 5), "closed", 0),  # 已销号 is never late
        (None, date(2024, 3, 5), "open", 0),
    ],
)
def test_overdue_days_are_working_days_past_the_due_date(
    due: date | None, today: date, status: str, days: int
) -> None:
    assert overdue_days(due, status, today, CAL) == days


def test_an_overdue_item_is_marked_with_its_days_in_the_chat_card_too() -> None:
    assert overdue_name(CONTEXT["items"][0]) == msg("week.overdue_name", name="未按期回迁", days=2)
    assert overdue_name(CONTEXT["items"][1]) == "过渡费"
    card = FLOW.steps[0].params["card"]
    assert card.params["name"] == msg("week.overdue_name", name="未按期回迁", days=2)


def test_on_plan_for_an_overdue_item_needs_the_reason_and_a_new_date_as_late_does() -> None:
    draft, _ = forms.start(FLOW, env=ENV, context=CONTEXT)
    assert draft is not None
    for item in (7, 8):
        read = read_item(
            FLOW, CONTEXT, draft.values, item, {"status": PLAN, "progress": "推进"}, ENV
        )
        draft = with_answers(FLOW, draft, read.values)
    needs = missing(FLOW, draft)
    assert needs[7] == [msg("app.missing.reason"), msg("app.missing.planned")]
    assert 8 not in needs  # on plan and not overdue: nothing more to say
    given = {"status": PLAN, "progress": "推进", "reason": "资金未到位", "planned": "2024-02-01"}
    read = read_item(FLOW, CONTEXT, draft.values, 7, given, ENV)
    assert read.errors == {"planned": msg("form.date_past", text="2024-02-01")}
    given["planned"] = "2024-04-30"
    read = read_item(FLOW, CONTEXT, draft.values, 7, given, ENV)
    assert read.errors == {} and read.values["i7.planned"] == "2024-04-30"
    same = read_item(FLOW, CONTEXT, draft.values, 8, {**given, "status": SAME}, ENV)
    assert same.values["i8.reason"] is None  # a reason only where it is asked


def test_on_plan_with_a_new_date_moves_the_planned_date_and_records_the_reason() -> None:
    values = {"i7.status": PLAN, "i7.progress": "推进", "i7.reason": "资金未到位"}
    values |= {"i7.planned": "2024-04-30", "new": "no"}
    now = {7: ItemNow(7, "轮台-001", 1, {"lead": "住建局"}), 8: ItemNow(8, "轮台-002", 3, {})}
    (change,) = decide_week(CONTEXT, WeekAnswers(values), now, at=ENV.now).changes
    assert change.changes.fields == {"lead": "住建局", "planned_on": "2024-04-30"}
    assert change.progress.reason == "资金未到位" and change.progress.new_due_on == date(
        2024, 4, 30
    )


def test_a_new_problems_due_date_in_the_past_is_refused_as_the_weeks_new_date_is() -> None:
    steps = item_steps(LedgerSpec())
    due = next(s for s in steps if s.field == "due_on")
    with pytest.raises(InputError) as refused:
        due.kind.parse(TextAnswer("2024-03-01"), ENV)
    assert refused.value.message == msg("form.date_past", text="2024-03-01")
    assert due.kind.parse(TextAnswer("2024-03-04"), ENV) == "2024-03-04"  # today is fine
    page = fill(steps, {"due_on": "2月1日"}, ENV, {})
    assert page.errors["due_on"] == msg("form.date_past", text="2月1日")
    other = LedgerSpec(fields=(*LedgerSpec().fields[:4],))  # a campaign's other dates: any day
    assert all(s.field != "due_on" for s in item_steps(other))


def test_a_close_out_asked_from_the_week_is_left_to_it_and_is_no_conflict() -> None:
    draft, _ = forms.start(FLOW, env=ENV, context=CONTEXT)
    assert draft is not None
    begun = read_item(FLOW, CONTEXT, {}, 7, {"status": LATE, "progress": "x"}, ENV).values
    draft = with_answers(FLOW, draft, begun)
    noted = asked_closing(FLOW, draft, 7, version=2)
    assert noted is not None and asked_closing(FLOW, draft, 99, version=1) is None
    assert "i7.status" not in noted.values and 7 not in missing(FLOW, noted)
    values = {**noted.values, "i8.status": SAME, "new": "no"}
    now = {7: ItemNow(7, "轮台-001", 2, {}), 8: ItemNow(8, "轮台-002", 3, {})}
    week = decide_week(CONTEXT, WeekAnswers(values), now, at=ENV.now)
    assert week.conflicts == () and [c.item_id for c in week.changes] == [8]
    assert week.answered == 2 and week.summary().params["closing"] == 1


def test_a_late_update_says_its_reason_and_new_date() -> None:
    late = progress_said(LATE, "评估机构更换", "", "资质暂停", date(2024, 3, 31))
    said = msg("week.late_said", reason="资质暂停", planned=date(2024, 3, 31))
    assert late == msg("week.progress_late", text="评估机构更换", late=said)
    assert progress_said(LATE, "", "", "资质暂停", date(2024, 3, 31)) == said
    assert progress_said(PLAN, "主体封顶", "", "", None) == "主体封顶"
    assert progress_said("rejected", "", "", "材料不全", None) == "材料不全"
