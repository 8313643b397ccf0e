"""The planner as a pure function over a moving clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.deliverables.checkpoints import CheckedItem, Checkpoint, UnitBehind
from workflows.forms.deeplink import WEEK_PAGE, AppLink, week_ref
from workflows.messages import msg
from workflows.planner import (
    CaseState,
    CheckpointState,
    DeadlineState,
    ItemState,
    Planned,
    PlannerState,
    UnitTarget,
    WeeklyState,
    catch_up,
    due_notifications,
    time_left,
)
from workflows.supervision.audience import hearing_chats
from workflows.week.periods import CampaignSpan

CST = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())
KORLA, LUNTAI, YULI = 1, 2, 3
UNITS = {
    KORLA: UnitTarget(KORLA, "库尔勒市", (-101,)),
    LUNTAI: UnitTarget(LUNTAI, "轮台县", (-102,)),
    YULI: UnitTarget(YULI, "尉犁县", (-103,)),
}
SUPERVISORS = (501, -900)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


# 自查自纠阶段总结, due Thursday 5 Nov 2026 18:00 (a working week)
DUE = at("2026-11-05 18:00")
SUMMARY = DeadlineState(
    7,
    "自查自纠阶段总结",
    DUE,
    at("2026-10-01 09:00"),
    frozenset({KORLA, LUNTAI, YULI}),
    frozenset(),
)
STATE = PlannerState(
    tz=CST,
    reminders=(timedelta(days=7), timedelta(days=3), timedelta(days=1), timedelta(hours=2)),
    units=UNITS,
    deadlines=(SUMMARY,),
    supervisors=SUPERVISORS,
)


class Runner:
    """Runs the planner like the bot does, remembering what it planned."""

    def __init__(self, state: PlannerState) -> None:
        self.state = state
        self.sent: list[Planned] = []

    def at(self, when: str) -> list[Planned]:
        out = due_notifications(self.state, now=at(when), cal=CAL)
        self.sent += out
        told = {p.key for p in out} | {k for p in out for k in p.absorbs}
        self.state = replace(self.state, planned=self.state.planned | told)
        return out


def keys(planned: list[Planned]) -> list[str]:
    return [p.key for p in planned]


def test_nothing_before_the_first_offset() -> None:
    assert Runner(STATE).at("2026-10-29 17:59") == []


def test_each_offset_once_to_each_unit_that_has_not_submitted() -> None:
    run = Runner(replace(STATE, deadlines=(replace(SUMMARY, submitted=frozenset({LUNTAI})),)))
    first = run.at("2026-10-29 18:00")
    assert keys(first) == [
        "deadline:7:20261105T100000Z:unit:1:chat:-101:r604800",
        "deadline:7:20261105T100000Z:unit:3:chat:-103:r604800",
    ]
    assert run.at("2026-10-29 18:00:05") == []  # the planner runs again: nothing doubled
    assert [p.chat_id for p in run.at("2026-11-02 18:00")] == [-101, -103]  # 3d
    assert [p.chat_id for p in run.at("2026-11-04 18:00")] == [-101, -103]  # 1d
    assert [p.chat_id for p in run.at("2026-11-05 16:00")] == [-101, -103]  # 2h
    assert all(not p.late for p in run.sent) and len(run.sent) == 8
    reminder = run.sent[0].message
    assert reminder.id == "deadline.reminder" and reminder.params["due"] == DUE


def test_catch_up_after_downtime_sends_only_the_latest_stage_marked_late() -> None:
    run = Runner(STATE)
    run.at("2026-10-29 18:00")  # 7d sent, then the bot is down for five days
    out = run.at("2026-11-04 19:30")
    assert keys(out) == [
        f"deadline:7:20261105T100000Z:unit:{u}:chat:-10{u}:r86400" for u in (1, 2, 3)
    ]
    assert all(p.late and p.message.id == "notify.late" for p in out)


def test_at_the_deadline_missing_units_and_the_supervisors_hear_at_once() -> None:
    run = Runner(replace(STATE, deadlines=(replace(SUMMARY, submitted=frozenset({KORLA})),)))
    out = run.at("2026-11-05 18:00")
    assert [(p.kind, p.chat_id) for p in out] == [
        ("deadline.overdue", -102),
        ("deadline.overdue", -103),
        ("deadline.missing", 501),
        ("deadline.missing", -900),
    ]
    assert out[2].message.params["units"] == ["轮台县", "尉犁县"]
    assert all(p.not_before == at("2026-11-05 18:00") for p in out)


def test_the_overdue_digest_comes_each_working_day_at_nine_and_skips_weekends() -> None:
    run = Runner(STATE)
    run.at("2026-11-05 18:00")
    assert run.at("2026-11-06 08:59") == []
    friday = run.at("2026-11-06 09:00")
    assert [p.kind for p in friday] == ["deadline.digest"] * 2
    assert friday[0].message.params["days"] == 1
    assert run.at("2026-11-07 09:00") == [] and run.at("2026-11-08 12:00") == []  # weekend
    monday = run.at("2026-11-09 09:30")
    assert keys(monday) == [
        "deadline:7:20261105T100000Z:digest:2026-11-09:chat:501",
        "deadline:7:20261105T100000Z:digest:2026-11-09:chat:-900",
    ]
    assert monday[0].message.params["days"] == 2


def test_the_digest_stops_when_every_unit_has_submitted() -> None:
    done = replace(SUMMARY, submitted=frozenset({KORLA, LUNTAI, YULI}))
    assert Runner(replace(STATE, deadlines=(done,))).at("2026-11-06 09:00") == []


def test_quiet_hours_hold_reminders_until_morning_but_not_the_deadline_itself() -> None:
    night = DeadlineState(
        8,
        "整改报告",
        at("2026-11-05 23:00"),
        at("2026-10-01 09:00"),
        frozenset({KORLA}),
        frozenset(),
    )
    run = Runner(replace(STATE, deadlines=(night,)))
    reminder = run.at("2026-11-05 21:00")  # the 2h stage falls in quiet hours
    assert reminder[0].not_before == at("2026-11-06 08:00")
    overdue = run.at("2026-11-05 23:00")
    assert overdue[0].kind == "deadline.overdue" and overdue[0].not_before == at("2026-11-05 23:00")


def test_a_deadline_added_late_is_not_called_late() -> None:
    fresh = replace(SUMMARY, created_at=at("2026-11-03 10:00"))
    out = Runner(replace(STATE, deadlines=(fresh,))).at("2026-11-03 10:00")
    assert out[0].key.endswith(":r259200") and not out[0].late


def test_units_with_no_group_get_nothing_but_are_listed_missing() -> None:
    units = {**UNITS, YULI: UnitTarget(YULI, "尉犁县", ())}
    run = Runner(replace(STATE, units=units))
    assert [p.chat_id for p in run.at("2026-10-29 18:00")] == [-101, -102]
    missing = [p for p in run.at("2026-11-05 18:00") if p.kind == "deadline.missing"]
    assert missing[0].message.params["units"] == ["库尔勒市", "轮台县", "尉犁县"]


WEEKLY = WeeklyState(0, "工作台账", 0, time(18), frozenset())


def test_the_weekly_report_prompt_reminder_and_missing_list() -> None:
    run = Runner(replace(STATE, deadlines=(), weekly=(WEEKLY,)))
    assert run.at("2026-11-09 07:59") == []  # the reporting day starts at 08:00
    prompt = run.at("2026-11-09 08:00")
    assert {p.kind for p in prompt} == {"weekly.prompt"} and len(prompt) == 3
    # first the week in the Mini App, for the unit's group, until the next reporting day's due
    # time; then the step-by-step update and the workbook
    assert prompt[0].buttons[0][1] == AppLink(
        WEEK_PAGE,
        prompt[0].buttons[0][1].unit_id,
        week_ref(date(2026, 11, 9)),
        datetime(2026, 11, 16, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        chat_id=prompt[0].chat_id,
    )
    assert [data for _, data in prompt[0].buttons[1:]] == ["a:weekly:0", "a:wform:0"]
    submitted = frozenset({(KORLA, datetime(2026, 11, 9).date())})
    run.state = replace(run.state, weekly=(replace(WEEKLY, submitted=submitted),))
    remind = run.at("2026-11-09 16:00")
    assert [(p.kind, p.chat_id) for p in remind] == [
        ("weekly.remind", -102),
        ("weekly.remind", -103),
    ]
    missing = run.at("2026-11-09 18:00")
    assert [(p.kind, p.chat_id) for p in missing] == [
        ("weekly.missing", 501),
        ("weekly.missing", -900),
    ]
    assert missing[0].message.params["units"] == ["轮台县", "尉犁县"]
    assert run.at("2026-11-10 10:00") == []


def test_time_left() -> None:
    now = at("2026-11-02 13:56")
    assert time_left(DUE, now).params["span"].params == {"days": 3, "hours": 4}
    assert time_left(DUE, at("2026-11-05 15:55")).params["span"].params == {
        "hours": 2,
        "minutes": 5,
    }
    assert time_left(DUE, at("2026-11-06 18:00")).id == "span.overdue"


# Case ZB-0001 received Friday 20 Nov 2026, due Tuesday 24 Nov 18:00.
CASE = CaseState(11, "ZB-0001", LUNTAI, at("2026-11-24 18:00"), "拖欠过渡安置费")
ADMINS = (900001,)
CASES = replace(STATE, deadlines=(), cases=(CASE,), admins=ADMINS)


def test_a_case_reminds_on_its_due_day_then_escalates_up_the_ladder() -> None:
    run = Runner(CASES)
    assert run.at("2026-11-23 10:00") == []
    morning = run.at("2026-11-24 09:00")
    assert [(p.kind, p.chat_id) for p in morning] == [("case.remind", -102)]
    assert morning[0].buttons[0][1] == "a:fb:11"
    assert [p.key for p in run.at("2026-11-24 16:00")] == [
        "case:11:20261124T100000Z:remind:before:chat:-102"
    ]
    escalated = run.at("2026-11-24 18:00")
    assert [(p.kind, p.chat_id) for p in escalated] == [
        ("case.escalate", 501),
        ("case.escalate", -900),
    ]
    assert run.at("2026-11-25 09:00") == []  # the admins hear a working day after the due time
    admins = run.at("2026-11-25 18:00")
    assert [(p.kind, p.chat_id) for p in admins] == [("case.admins", 900001)]
    assert admins[0].message.params["days"] == 1
    daily = run.at("2026-11-26 09:00")
    assert [p.key for p in daily] == ["case:11:20261124T100000Z:daily:2026-11-26:chat:900001"]
    assert [p.key for p in run.at("2026-11-27 09:00")] == [
        "case:11:20261124T100000Z:daily:2026-11-27:chat:900001"
    ]
    assert run.at("2026-11-28 09:00") == []  # Saturday
    assert [p.key for p in run.at("2026-11-30 09:00")] == [
        "case:11:20261124T100000Z:daily:2026-11-30:chat:900001"
    ]


def test_only_the_escalation_at_the_due_moment_goes_out_at_night() -> None:
    night = replace(CASE, due_at=at("2026-11-24 23:00"))
    run = Runner(replace(CASES, cases=(night,)))
    remind = run.at("2026-11-24 21:00")  # the two-hour reminder falls in quiet hours
    assert remind[0].not_before == at("2026-11-25 08:00")
    escalate = run.at("2026-11-24 23:00")
    assert all(p.not_before == at("2026-11-24 23:00") for p in escalate)


def test_a_case_found_long_overdue_escalates_once_to_each_level() -> None:
    run = Runner(CASES)
    out = run.at("2026-12-01 10:00")  # five working days late, first planner run
    assert [p.kind for p in out] == ["case.escalate", "case.escalate", "case.admins"]
    assert all(p.late for p in out[:2])
    # one 督办, not two at once
    assert out[2].key == "case:11:20261124T100000Z:daily:2026-12-01:chat:900001"
    assert run.at("2026-12-01 10:05") == []
    assert [p.kind for p in run.at("2026-12-02 09:00")] == ["case.admins"]


def test_items_that_became_overdue_reach_the_supervisors_once_a_working_day() -> None:
    items = (
        ItemState(1, "轮台-001", "拖欠过渡安置费", LUNTAI, at("2026-11-20 00:00").date()),
        ItemState(2, "尉犁-003", "逾期未回迁", YULI, at("2026-11-22 00:00").date()),
        ItemState(3, "尉犁-001", "早已逾期", YULI, at("2026-11-10 00:00").date()),
    )
    run = Runner(replace(STATE, deadlines=(), items=items))
    assert run.at("2026-11-23 08:59") == []
    monday = run.at("2026-11-23 09:00")  # since Friday: 20 Nov and the weekend's 22 Nov
    assert [p.chat_id for p in monday] == [501, -900]
    assert [line.params["code"] for line in monday[0].message.params["items"]] == [
        "轮台-001",
        "尉犁-003",
    ]
    assert run.at("2026-11-23 15:00") == []
    assert run.at("2026-11-24 09:00") == []  # nothing new became overdue on Monday


def test_a_group_bound_late_gets_one_message_listing_what_it_missed_newest_first() -> None:
    deadlines = tuple(
        replace(SUMMARY, deadline_id=n, deliverable=f"材料{n}", due_at=DUE - timedelta(days=10 * n))
        for n in (1, 2, 3)
    )
    run = Runner(replace(STATE, deadlines=deadlines, supervisors=()))
    out = run.at("2026-11-06 10:00")
    assert [p.chat_id for p in out] == [-101, -102, -103]  # one message per group
    first = out[0]
    assert first.kind == "catchup" and first.late and len(first.absorbs) == 3
    listed = [line.params["body"].params["deliverable"] for line in first.message.params["items"]]
    assert listed == ["材料1", "材料2", "材料3"]  # the newest first
    assert [label.params["n"] for label, _ in first.buttons] == [1, 2, 3]
    assert [data for _, data in first.buttons] == ["a:submit:1", "a:submit:2", "a:submit:3"]
    assert run.at("2026-11-06 10:05") == []  # each folded notice counts as told


def test_a_single_late_notice_or_several_on_time_are_not_folded() -> None:
    now = at("2026-11-06 10:00")
    one = Planned("k1", "deadline.overdue", -1, time_left(DUE, now), now, late=True)
    fresh = [Planned(f"k{n}", "x", -2, time_left(DUE, now), now) for n in (2, 3)]
    assert catch_up([one, *fresh]) == [one, *fresh]


def test_nothing_at_all_once_the_campaign_is_over() -> None:
    span = CampaignSpan(at("2026-09-01 00:00").date(), DUE + timedelta(days=1))
    run = Runner(replace(STATE, span=span, admins=(900,)))
    told = run.at("2026-11-07 10:00")  # only the admins hear, once, that it is over
    assert [(p.kind, p.chat_id) for p in told] == [("campaign.over", 900)]
    assert run.at("2026-11-08 10:00") == []
    assert Runner(replace(STATE, span=span)).at("2026-11-06 10:00") != []


def test_no_weekly_report_before_the_campaign_begins() -> None:
    weekly = (WeeklyState(0, "工作台账", 0, time(18, 0), frozenset()),)
    span = CampaignSpan(at("2026-11-24 00:00").date(), None)
    run = Runner(replace(STATE, deadlines=(), weekly=weekly, span=span))
    assert run.at("2026-11-23 10:00") == []  # Monday before the first phase
    assert [p.kind for p in run.at("2026-11-30 10:00")] == ["weekly.prompt"] * 3


# --- where the supervisors hear, and one message a morning


def test_a_supervisor_in_the_supervisors_group_hears_there_only() -> None:
    # 501 was seen in the supervisors' group -900; 502 never was
    chats = hearing_chats((501, 502), (-900,), {(-900, 501), (-101, 502)})
    assert chats == [502, -900]
    run = Runner(replace(STATE, supervisors=tuple(chats)))
    out = [p for p in run.at("2026-11-05 18:00") if p.kind == "deadline.missing"]
    assert [p.chat_id for p in out] == [502, -900]
    assert hearing_chats((501,), (), {(-900, 501)}) == [501]  # no group bound: in private


TWO = replace(
    STATE,
    deadlines=(
        replace(SUMMARY, deadline_id=6, deliverable="联络员名单", due_at=at("2026-10-09 18:00")),
        SUMMARY,
    ),
)


def test_after_its_first_day_each_overdue_deadline_is_a_line_of_one_morning_message() -> None:
    run = Runner(TWO)
    run.at("2026-11-05 09:00")  # 联络员名单's digest alone: its own message, as before
    first = run.at("2026-11-05 18:00")  # 自查自纠阶段总结 is due: its missing list on its own
    assert [p.kind for p in first if p.chat_id == 501] == ["deadline.missing"]
    friday = run.at("2026-11-06 09:00")
    assert [(p.kind, p.chat_id) for p in friday] == [("morning", 501), ("morning", -900)]
    told = friday[0]
    assert told.message.id == "notify.morning" and told.message.params["count"] == 2
    assert told.message.params["day"] == at("2026-11-06 00:00").date()
    bodies = [line.params["body"] for line in told.message.params["items"]]
    assert [(b.id, b.params["deliverable"], b.params["days"]) for b in bodies] == [
        ("deadline.digest", "联络员名单", 21),  # 10 Oct 2026 is a make-up Saturday
        ("deadline.digest", "自查自纠阶段总结", 1),
    ]
    assert told.absorbs == (
        "deadline:6:20261009T100000Z:digest:2026-11-06:chat:501",
        "deadline:7:20261105T100000Z:digest:2026-11-06:chat:501",
    )
    assert told.key == "morning:chat:501:deadline:6:20261009T100000Z:digest:2026-11-06:chat:501"
    assert not told.late and told.not_before == at("2026-11-06 09:00")
    assert run.at("2026-11-06 09:00:05") == [] and run.at("2026-11-06 15:00") == []
    monday = run.at("2026-11-09 09:00")  # the weekend skipped; one message a chat again
    assert [(p.kind, p.chat_id) for p in monday] == [("morning", 501), ("morning", -900)]
    lines = monday[0].message.params["items"]
    assert [line.params["body"].params["days"] for line in lines] == [22, 2]


def test_a_morning_told_before_an_upgrade_is_not_told_again() -> None:
    # the digest of 联络员名单 for Friday was planned, one by one, before this version
    before = "deadline:6:20261009T100000Z:digest:2026-11-06:chat:501"
    run = Runner(replace(TWO, planned=frozenset({before}), supervisors=(501,)))
    run.at("2026-11-05 18:00")
    friday = run.at("2026-11-06 09:00")
    assert keys(friday) == ["deadline:7:20261105T100000Z:digest:2026-11-06:chat:501"]


def test_an_admins_morning_tells_each_overdue_case_once() -> None:
    second = CaseState(12, "ZB-0002", YULI, at("2026-11-24 18:00"), "补偿款未足额发放")
    run = Runner(replace(CASES, cases=(CASE, second)))
    run.at("2026-11-24 18:00")  # 催办 to the supervisors, each case on its own
    admins = run.at("2026-11-25 18:00")  # the first 督办 of each: its own message
    assert [(p.kind, p.chat_id) for p in admins] == [("case.admins", 900001)] * 2
    thursday = run.at("2026-11-26 09:00")
    assert [(p.kind, p.chat_id) for p in thursday] == [("morning", 900001)]
    assert [line.params["body"].params["code"] for line in thursday[0].message.params["items"]] == [
        "ZB-0001",
        "ZB-0002",
    ]
    assert run.at("2026-11-26 12:00") == []


def test_one_morning_message_for_a_chat_that_is_supervisor_and_admin() -> None:
    items = (ItemState(1, "轮台-001", "拖欠过渡安置费", LUNTAI, at("2026-11-25 00:00").date()),)
    state = replace(CASES, deadlines=(SUMMARY,), items=items, supervisors=(900001,))
    run = Runner(state)
    run.at("2026-11-25 18:00")
    thursday = run.at("2026-11-26 09:00")
    assert [p.kind for p in thursday] == ["morning"]
    bodies = [line.params["body"].id for line in thursday[0].message.params["items"]]
    assert bodies == ["deadline.digest", "case.daily", "items.overdue"]


def test_after_downtime_the_morning_is_part_of_the_one_catch_up() -> None:
    run = Runner(TWO)
    run.at("2026-11-04 09:00")
    out = run.at("2026-11-06 10:00")  # down since Wednesday: the missing list is late
    mine = [p for p in out if p.chat_id == 501]
    assert [p.kind for p in mine] == ["catchup"]
    assert sorted(mine[0].absorbs) == [
        "deadline:6:20261009T100000Z:digest:2026-11-06:chat:501",
        "deadline:7:20261105T100000Z:digest:2026-11-06:chat:501",
        "deadline:7:20261105T100000Z:missing:chat:501",
    ]
    assert run.at("2026-11-06 10:05") == []
    assert [p.kind for p in run.at("2026-11-09 09:00") if p.chat_id == 501] == ["morning"]


def test_the_morning_after_a_checkpoint_its_interview_list_goes_to_the_supervisors_once() -> None:
    point = Checkpoint("2026年11月", date(2026, 11, 30), "未按计划完成整改的县进行约谈")
    late = CheckedItem("轮台县", "轮台-001", "过渡安置费拖欠", date(2026, 10, 31), "open")
    behind = (UnitBehind("轮台县", (late,)),)
    runner = Runner(replace(STATE, deadlines=(), checkpoints=(CheckpointState(point, behind),)))
    assert runner.at("2026-12-01 08:59") == []  # its day is over, the morning not yet come
    sent = runner.at("2026-12-01 09:00")
    assert keys(sent) == ["checkpoint:2026-11-30:chat:501", "checkpoint:2026-11-30:chat:-900"]
    told = sent[0].message
    assert told.id == "checkpoint.interview" and told.params["count"] == 1
    assert told.params["units"][0].params == {
        "unit": "轮台县",
        "count": 1,
        "items": [msg("checkpoint.item", code="轮台-001", name="过渡安置费拖欠", due=late.due_on)],
        "more": "",
    }
    assert runner.at("2026-12-01 09:05") == []  # once


def test_a_checkpoint_with_nobody_behind_says_so_and_a_missed_one_comes_late() -> None:
    point = Checkpoint("2026年11月", date(2026, 11, 30))
    runner = Runner(replace(STATE, deadlines=(), checkpoints=(CheckpointState(point, ()),)))
    (first, _) = runner.at("2026-12-03 10:00")  # the bot was down on the morning after
    assert first.late and first.message.params["body"].id == "checkpoint.none"


def test_a_stage_withdrawn_with_its_catch_up_while_owed_is_told_with_the_latest() -> None:
    # the 1d reminder to 库尔勒市 was told in a catch-up withdrawn unsent (the week it folded
    # too was reported): its key is free and marked owed again; the 2h stage has come since
    r1d = "deadline:7:20261105T100000Z:unit:1:chat:-101:r86400"
    r3d = "deadline:7:20261105T100000Z:unit:1:chat:-101:r259200"
    state = replace(STATE, owed_again=frozenset({r1d}), planned=frozenset({r3d}))
    out = Runner(state).at("2026-11-05 16:30")
    mine = [p for p in out if p.chat_id == -101]
    assert keys(mine) == ["deadline:7:20261105T100000Z:unit:1:chat:-101:r7200"]
    assert mine[0].absorbs == (r1d,)  # one line tells both stages
    assert all(p.absorbs == () for p in out if p.chat_id != -101)  # the others: latest only


def test_a_stage_owed_again_after_the_latest_went_is_told_under_its_own_key() -> None:
    r1d = "deadline:7:20261105T100000Z:unit:1:chat:-101:r86400"
    r2h = "deadline:7:20261105T100000Z:unit:1:chat:-101:r7200"
    run = Runner(replace(STATE, owed_again=frozenset({r1d}), planned=frozenset({r2h})))
    mine = [p for p in run.at("2026-11-05 16:30") if p.chat_id == -101]
    assert keys(mine) == [r1d] and mine[0].late
    assert [p for p in run.at("2026-11-05 16:31") if p.chat_id == -101] == []  # once
    # a stage owed again is told, once past due, with the overdue notice
    run = Runner(replace(STATE, owed_again=frozenset({r1d})))
    overdue = [p for p in run.at("2026-11-05 18:00") if p.chat_id == -101]
    assert [p.absorbs for p in overdue] == [(r1d,)]


def test_a_catch_up_records_as_told_what_its_lines_tell_with_them() -> None:
    r1d = "deadline:7:20261105T100000Z:unit:1:chat:-101:r86400"
    thursday = replace(WEEKLY, weekday=3)  # due 5 Nov 18:00 too: its reminder at 16:00
    run = Runner(replace(STATE, owed_again=frozenset({r1d}), weekly=(thursday,)))
    out = [p for p in run.at("2026-11-05 17:00") if p.chat_id == -101]  # down since 15:00
    assert [p.kind for p in out] == ["catchup"]
    assert sorted(out[0].absorbs) == sorted(
        [
            r1d,
            "deadline:7:20261105T100000Z:unit:1:chat:-101:r7200",
            "weekly:0:2026-11-05:remind:unit:1:chat:-101",
        ]
    )
