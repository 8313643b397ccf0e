"""A deliverable's countdown: reminders to the units that owe it, at its due time the overdue
notice and the supervisors' missing list, then a digest each working morning (told with the
chat's other notices of that morning)."""

from __future__ import annotations

from workflows import keys
from workflows.calendar.working_days import WorkCalendar
from workflows.forms.buttons import Verb, callback_data
from workflows.keys import NoticeKey
from workflows.messages import msg
from workflows.planner.state import DeadlineState, Plan, latest_working_morning
from workflows.planner.time_left import live_left


def plan_deadline(plan: Plan, d: DeadlineState, cal: WorkCalendar) -> None:
    """Plan what a deadline owes now to the units that have not submitted, and about them."""
    state, now = plan.state, plan.now
    missing = sorted(d.units - d.submitted, key=lambda u: plan.order.get(u, len(plan.order)))
    if not missing:
        return
    did, due = d.deadline_id, d.due_at
    button = ((msg("deadline.button.submit"), callback_data(Verb.SUBMIT, d.deadline_id)),)
    if now < d.due_at:
        stages = [(d.due_at - off, off) for off in state.reminders if d.due_at - off <= now]
        if not stages:
            return
        stage_at, offset = max(stages)
        # the earlier stages are told again only if owed again (rare): no keys made otherwise
        before = [keys.reminder_stage(o) for _, o in sorted(stages)[:-1] if state.owed_again]
        text = msg(
            "deadline.reminder",
            deliverable=d.deliverable,
            due=d.due_at,
            left=live_left(d.due_at, now),
        )
        for unit_id, chat in plan.chats_of(missing):
            plan.add(
                NoticeKey.deadline_unit(did, due, unit_id, chat, keys.reminder_stage(offset)).text,
                "deadline.reminder",
                chat,
                text,
                stage_at=stage_at if stage_at >= d.created_at else None,
                buttons=button,
                earlier=[NoticeKey.deadline_unit(did, due, unit_id, chat, s).text for s in before],
            )
        return
    names = [state.units[u].name for u in missing if u in state.units]
    countdown = [keys.reminder_stage(o) for o in sorted(state.reminders)[::-1] if state.owed_again]
    for unit_id, chat in plan.chats_of(missing):
        plan.add(
            NoticeKey.deadline_unit(did, due, unit_id, chat, "overdue").text,
            "deadline.overdue",
            chat,
            msg("deadline.overdue", deliverable=d.deliverable, due=d.due_at),
            urgent=True,
            stage_at=d.due_at,
            buttons=button,
            earlier=[NoticeKey.deadline_unit(did, due, unit_id, chat, s).text for s in countdown],
        )
    for chat in state.supervisors:
        plan.add(
            NoticeKey.deadline_missing(did, due, chat).text,
            "deadline.missing",
            chat,
            msg("deadline.missing", deliverable=d.deliverable, due=d.due_at, units=names),
            urgent=True,
            stage_at=d.due_at,
        )
    day = latest_working_morning(d.due_at.astimezone(state.tz).date(), now, state.tz, cal)
    if day is not None:
        for chat in state.supervisors:
            plan.add(
                NoticeKey.deadline_digest(did, due, day, chat).text,
                "deadline.digest",
                chat,
                msg(
                    "deadline.digest",
                    deliverable=d.deliverable,
                    due=d.due_at,
                    units=names,
                    days=cal.working_days_between(d.due_at.astimezone(state.tz).date(), day),
                ),
                morning=day,
            )
