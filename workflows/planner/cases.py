"""A forwarded case's ladder: the unit reminded on the due day, 催办 to the supervisors at
the due time, 督办 to the admins a working day later and each working morning after (told
with the chat's other notices of that morning)."""

from __future__ import annotations

from datetime import datetime

from workflows.calendar.working_days import WorkCalendar
from workflows.forms.buttons import Verb, callback_data
from workflows.keys import NoticeKey
from workflows.messages import msg
from workflows.planner.state import CaseState, Plan, latest_working_morning
from workflows.planner.time_left import live_left


def plan_case(plan: Plan, c: CaseState, cal: WorkCalendar) -> None:
    """Remind the unit on the due day; at the due time tell the supervisors (催办), even at
    night; a working day later the admins (督办), then each working day at 09:00."""
    state, now, rules = plan.state, plan.now, plan.state.case_rules
    cid, due = c.case_id, c.due_at
    target = state.units.get(c.unit_id)
    due_local = c.due_at.astimezone(state.tz)
    if now < c.due_at:
        morning = datetime.combine(due_local.date(), rules.remind_at, tzinfo=state.tz)
        stages = [
            (t, name)
            for t, name in ((morning, "morning"), (c.due_at - rules.remind_before, "before"))
            if t <= now and t < c.due_at
        ]
        if not stages:
            return
        stage_at, stage = max(stages)
        text = msg(
            "case.remind",
            code=c.code,
            due=c.due_at,
            left=live_left(c.due_at, now),
            summary=c.summary,
        )
        for chat in target.chats if target else ():
            plan.add(
                NoticeKey.case_remind(cid, due, stage, chat).text,
                "case.remind",
                chat,
                text,
                stage_at=stage_at,
                buttons=((msg("case.button.feedback"), callback_data(Verb.FB, c.case_id)),),
                earlier=[
                    NoticeKey.case_remind(cid, due, s, chat).text for _, s in sorted(stages)[:-1]
                ],
            )
        return
    unit = target.name if target else ""
    for chat in state.supervisors:
        plan.add(
            NoticeKey.case_escalate(cid, due, chat).text,
            "case.escalate",
            chat,
            msg("case.escalate", code=c.code, unit=unit, due=c.due_at, summary=c.summary),
            urgent=True,
            stage_at=c.due_at,
        )
    admins_day = cal.add_working_days(due_local.date(), rules.admins_after)
    admins_at = datetime.combine(admins_day, due_local.timetz())
    if now < admins_at:
        return
    days = cal.working_days_between(due_local.date(), now.astimezone(state.tz).date())
    day = latest_working_morning(admins_day, now, state.tz, cal)
    for chat in state.admins:
        first = NoticeKey.case_admins(cid, due, chat).text
        # Only the latest stage of the ladder: after downtime, or for a case imported long
        # overdue, the admins get one 督办, in the first one's words if none went out before.
        kind = "case.daily" if day is not None and first in state.planned else "case.admins"
        plan.add(
            first if day is None else NoticeKey.case_daily(cid, due, day, chat).text,
            kind,
            chat,
            msg(kind, code=c.code, unit=unit, due=c.due_at, days=days, summary=c.summary),
            stage_at=admins_at if day is None else None,
            morning=day,
        )
