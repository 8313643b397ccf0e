"""The Mini App's answers, checked by the weekly update's own steps; where the chat goes on."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from workflows.forms import engine as forms
from workflows.forms.inputs import FormEnv
from workflows.messages import msg
from workflows.week.week_page import missing, read_item, with_answers
from workflows.week.weekly import weekly_flow

CONTEXT = {
    "unit": "轮台县",
    "unit_id": 1,
    "report": 0,
    "report_name": "工作台账",
    "period": "2024-02-05",
    "due": "2024-02-05T18:00:00+08:00",
    "ledger": None,
    "items": [
        {"id": 7, "code": "轮台-001", "name": "甲", "version": 1, "due": None, "last": ""},
        {"id": 8, "code": "轮台-002", "name": "乙", "version": 1, "due": None, "last": ""},
    ],
}
ENV = FormEnv(datetime(2024, 2, 1, 2, 0, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))
FLOW = weekly_flow(CONTEXT)


def test_answers_are_checked_by_the_steps_and_refused_ones_are_not_kept() -> None:
    given = {
        "status": "late",
        "progress": "评估机构更换",
        "reason": "资质暂停",
        "planned": "2023-12-31",
    }
    read = read_item(FLOW, CONTEXT, {}, 7, given, ENV)
    assert read.values["i7.status"] == "late" and read.values["i7.reason"] == "资质暂停"
    assert read.values["i7.planned"] is None
    assert read.errors == {"planned": msg("form.date_past", text="2023-12-31")}
    assert read_item(FLOW, CONTEXT, {}, 7, {"status": "bogus"}, ENV).errors["status"].id == (
        "form.pick_an_option"
    )


def test_a_field_whose_step_no_longer_applies_is_cleared() -> None:
    late = read_item(FLOW, CONTEXT, {}, 7, {"status": "late", "reason": "资质暂停"}, ENV).values
    plan = read_item(FLOW, CONTEXT, late, 7, {"status": "plan", "reason": "资质暂停"}, ENV)
    assert plan.values["i7.reason"] is None


def test_the_chat_goes_on_at_the_first_question_not_answered() -> None:
    draft, _ = forms.start(FLOW, env=ENV, context=CONTEXT)
    assert draft is not None
    first = read_item(FLOW, CONTEXT, {}, 7, {"status": "same"}, ENV).values
    after = with_answers(FLOW, draft, first)
    assert FLOW.steps[after.step].field == "i8.status" and after.rev == draft.rev + 1
    assert missing(FLOW, after) == {8: [msg("app.missing.status")], 0: [msg("app.missing.new")]}
    done = read_item(FLOW, CONTEXT, first, 8, {"status": "done", "result": "已补发"}, ENV).values
    after = with_answers(FLOW, after, done)
    assert FLOW.steps[after.step].field == "i8.evidence"
    assert missing(FLOW, after)[8] == [msg("app.missing.evidence")]
