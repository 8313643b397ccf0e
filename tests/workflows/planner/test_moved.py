"""A moved deadline or case is planned again for its new time: its keys name the due time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.workflows.planner.test_planner import CASES, DUE, STATE, SUMMARY, Runner, at, keys
from workflows.planner import schedule_of_key, schedule_stamp, schedules


def moved(run: Runner, due: str, when: str) -> None:
    """An admin moves the deadline to `due` at `when` (planning for it starts afresh then)."""
    deadline = replace(run.state.deadlines[0], due_at=at(due), created_at=at(when))
    run.state = replace(run.state, deadlines=(deadline,))


def test_every_planner_key_names_its_due_time_in_utc() -> None:
    run = Runner(STATE)
    reminders = run.at("2026-10-29 18:00")
    assert {schedule_of_key(k) for k in keys(reminders)} == {("deadline:7", "20261105T100000Z")}
    assert schedules(STATE) == {"deadline:7": schedule_stamp(DUE)}
    assert schedule_of_key("case:11:posted:chat:-102") is None  # the case's post: no schedule
    assert schedule_of_key("weekly:0:2026-11-02:prompt:unit:1:chat:-101") is None


def test_a_deadline_moved_later_is_reminded_again_once_per_stage_for_its_new_time() -> None:
    run = Runner(STATE)
    assert len(run.at("2026-11-02 18:00")) == 3  # the three-day stage, one per unit
    moved(run, "2026-11-13 18:00", "2026-11-03 10:00")
    assert run.at("2026-11-05 18:00") == []  # the old due time: no overdue notice
    week = run.at("2026-11-06 18:00")
    assert [p.kind for p in week] == ["deadline.reminder"] * 3  # the new seven-day stage
    assert all(p.message.params["due"] == at("2026-11-13 18:00") for p in week)
    assert len(run.at("2026-11-10 18:00")) == 3 and run.at("2026-11-10 19:00") == []
    overdue = run.at("2026-11-13 18:00")
    assert [p.kind for p in overdue] == ["deadline.overdue"] * 3 + ["deadline.missing"] * 2


def test_a_deadline_moved_earlier_gets_the_latest_passed_stage_once_and_not_as_late() -> None:
    run = Runner(STATE)
    run.at("2026-10-29 18:00")  # seven days before 5 Nov
    moved(run, "2026-11-02 18:00", "2026-10-30 10:00")
    again = run.at("2026-10-30 10:00")  # its seven-day stage passed on 26 Oct, before the move
    assert [p.kind for p in again] == ["deadline.reminder"] * 3
    assert not any(p.late for p in again)
    assert all(k.endswith(":r604800") for k in keys(again))
    assert run.at("2026-10-30 12:00") == []
    assert len(run.at("2026-10-30 18:00")) == 3  # the three-day stage of the new time
    assert len(run.at("2026-11-01 18:00")) == 3  # and the one-day stage


def test_an_extended_case_is_reminded_and_escalated_at_its_new_time() -> None:
    run = Runner(CASES)
    assert [p.kind for p in run.at("2026-11-24 09:00")] == ["case.remind"]
    case = replace(run.state.cases[0], due_at=at("2026-11-27 18:00"))  # extension approved
    run.state = replace(run.state, cases=(case,))
    assert run.at("2026-11-24 18:00") == []  # no 催办 at the old time
    assert [p.kind for p in run.at("2026-11-27 09:00")] == ["case.remind"]
    assert [p.kind for p in run.at("2026-11-27 16:00")] == ["case.remind"]
    assert [p.kind for p in run.at("2026-11-27 18:00")] == ["case.escalate"] * 2


def test_keys_stay_short() -> None:
    far = replace(SUMMARY, deadline_id=2**31 - 1, due_at=DUE + timedelta(days=3650))
    run = Runner(replace(STATE, deadlines=(far,)))
    longest = max(len(k) for k in keys(run.at("2036-11-01 18:00")))
    assert longest <= 100
