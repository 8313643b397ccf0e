"""The planner: which reminders and escalations are due now, each with its idempotency key.

It is a pure function of the campaign's state and the time. It is run every few seconds and
at start-up; the keys make each notification happen once, however often it runs. After
downtime only the latest missed stage of each (deadline, unit) is planned, marked late.
The keys of a deadline or a case name the due time they were planned for
(`deadline:7:20261105T100000Z:…`): moved, it is planned again for its new time.

One module a subject: `deadlines` (countdowns, overdue, missing, digest), `weekly` (the
weekly report's prompt and missing list), `cases` (the forwarded case's ladder), `items`
(items past their 办结时间), `checkpoints` (the 约谈名单 at each checkpoint), `catch_up`
(what a chat missed, in one message), `leave` (a unit's notices with a liaison away: who
answers instead; a unit with nobody present, to the supervisors); `state` holds
what they read and make, `time_left` how long until a due time.
"""

from __future__ import annotations

from datetime import datetime

from workflows import keys
from workflows.calendar.working_days import WorkCalendar
from workflows.keys import NoticeKey, Subject, schedule_stamp
from workflows.messages import msg
from workflows.planner.cases import plan_case
from workflows.planner.catch_up import catch_up
from workflows.planner.checkpoints import plan_checkpoints
from workflows.planner.deadlines import plan_deadline
from workflows.planner.items import plan_overdue_items
from workflows.planner.leave import covered, covers, plan_nobody_present, with_cover
from workflows.planner.state import (
    CaseState,
    CheckpointState,
    DeadlineState,
    ItemState,
    Plan,
    Planned,
    PlannerState,
    QuietHours,
    UnitTarget,
    WeeklyState,
)
from workflows.planner.time_left import LiveLeft, live_left, time_left
from workflows.planner.weekly import plan_weekly

__all__ = [
    "CaseState",
    "CheckpointState",
    "DeadlineState",
    "ItemState",
    "LiveLeft",
    "Planned",
    "PlannerState",
    "QuietHours",
    "UnitTarget",
    "WeeklyState",
    "catch_up",
    "covered",
    "due_notifications",
    "live_left",
    "schedule_of",
    "schedule_stamp",
    "schedules",
    "time_left",
]


def due_notifications(state: PlannerState, *, now: datetime, cal: WorkCalendar) -> list[Planned]:
    """Every notification whose time has come and that was not planned before."""
    if state.span.over(now):  # every phase and deadline behind us: only the admins hear so
        return _campaign_over(state, now)
    plan = Plan(state, now)
    for deadline in state.deadlines:
        plan_deadline(plan, deadline, cal)
    for report in state.weekly:
        plan_weekly(plan, report)
    for case in state.cases:
        plan_case(plan, case, cal)
    plan_overdue_items(plan, cal)
    plan_checkpoints(plan)
    away = covers(state, now)
    plan_nobody_present(plan, away)
    return with_cover(catch_up(plan.out), state, away)


def _campaign_over(state: PlannerState, now: datetime) -> list[Planned]:
    """Once, to each admin: the campaign is over, so no reminder or catch-up goes out."""
    ends = state.span.ends_at
    if ends is None:
        return []
    out = [
        Planned(
            keys.campaign_over(ends, admin),
            "campaign.over",
            admin,
            msg("notify.campaign_over", ends=ends),
            now,
        )
        for admin in state.admins
    ]
    return [p for p in out if p.key not in state.planned]


def schedule_of_key(key: str) -> tuple[str, str] | None:
    """(`deadline:7` or `case:11`, its due stamp) of a planner key; None for any other key."""
    notice = NoticeKey.parse(key)
    return (notice.schedule, notice.due) if notice is not None and notice.due else None


def schedules(state: PlannerState) -> dict[str, str]:
    """The due stamp each deadline and open case is planned for now (`NoticeKey.schedule`)."""
    out = {
        keys.schedule_of(Subject.DEADLINE, d.deadline_id): schedule_stamp(d.due_at)
        for d in state.deadlines
    }
    out.update(
        {keys.schedule_of(Subject.CASE, c.case_id): schedule_stamp(c.due_at) for c in state.cases}
    )
    return out
