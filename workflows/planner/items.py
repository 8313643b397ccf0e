"""Ledger items past their 办结时间: the supervisors told each working morning."""

from __future__ import annotations

from datetime import timedelta

from workflows import keys
from workflows.calendar.working_days import WorkCalendar
from workflows.messages import Lines, msg
from workflows.planner.state import DIGEST_AT, Plan

ITEMS_LISTED = 50  # items listed in the message; the rest are counted


def plan_overdue_items(plan: Plan, cal: WorkCalendar) -> None:
    """Each working day at 09:00, the items that became overdue since the previous one."""
    state, now = plan.state, plan.now
    today = now.astimezone(state.tz).date()
    if not state.items or not cal.is_workday(today) or now.astimezone(state.tz).time() < DIGEST_AT:
        return
    previous = today - timedelta(days=1)
    while not cal.is_workday(previous) and previous > today - timedelta(days=30):
        previous -= timedelta(days=1)
    fresh = sorted(
        (i for i in state.items if previous <= i.due_on < today),
        key=lambda i: (plan.order.get(i.unit_id, 0), i.code),
    )
    if not fresh:
        return
    shown = [
        msg(
            "items.overdue_line",
            code=i.code,
            name=i.name,
            unit=state.units[i.unit_id].name if i.unit_id in state.units else "",
            due=i.due_on,
        )
        for i in fresh[:ITEMS_LISTED]
    ]
    more = (
        msg("items.overdue_more", count=len(fresh) - ITEMS_LISTED)
        if len(fresh) > ITEMS_LISTED
        else ""
    )
    for chat in state.supervisors:
        plan.add(
            keys.items_overdue(today, chat),
            "items.overdue",
            chat,
            msg("items.overdue", count=len(fresh), items=Lines(shown), more=more),
            morning=today,
        )
