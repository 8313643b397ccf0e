"""At each checkpoint (考核时间节点), the supervisors get the 约谈名单 once: the units with
problems past their 办结时间 and not 销号 by the end of its day, with the problems."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflows import keys
from workflows.deliverables.checkpoints import UnitBehind
from workflows.messages import Lines, Msg, msg
from workflows.planner.state import DIGEST_AT, CheckpointState, Plan

UNITS_SHOWN = 30  # units listed by name; the rest are counted
ITEMS_SHOWN = 3  # problems named under a unit; the rest are counted


def plan_checkpoints(plan: Plan) -> None:
    """The morning after a checkpoint's day, its 约谈名单 to every supervisors' chat, once."""
    for due in plan.state.checkpoints:
        at = datetime.combine(due.checkpoint.day + timedelta(days=1), DIGEST_AT, plan.state.tz)
        if plan.now < at:
            continue
        text = interview_message(due)
        for chat in plan.state.supervisors:
            plan.add(
                keys.checkpoint(due.checkpoint.day, chat),
                "checkpoint.interview",
                chat,
                text,
                stage_at=at,
            )


def interview_message(due: CheckpointState) -> Msg:
    """The list as the supervisors read it: each unit, how many problems, the first few."""
    point = due.checkpoint
    if not due.behind:
        return msg("checkpoint.none", checkpoint=point.text, day=point.day)
    lines = [_unit_line(u) for u in due.behind[:UNITS_SHOWN]]
    more = len(due.behind) - UNITS_SHOWN
    return msg(
        "checkpoint.interview",
        checkpoint=point.text,
        day=point.day,
        check=point.check or msg("checkpoint.default_check"),
        count=len(due.behind),
        units=Lines(lines),
        more=msg("checkpoint.more_units", count=more) if more > 0 else "",
    )


def _unit_line(unit: UnitBehind) -> Msg:
    shown = [
        msg("checkpoint.item", code=i.code, name=i.name, due=i.due_on)
        for i in unit.items[:ITEMS_SHOWN]
    ]
    more = len(unit.items) - ITEMS_SHOWN
    return msg(
        "checkpoint.unit_line",
        unit=unit.unit,
        count=len(unit.items),
        items=shown,
        more=msg("checkpoint.more_items") if more > 0 else "",
    )
