"""Leave in the planner: a notice to a unit whose liaison is away names who answers instead
(and reaches them in private too), and the supervisors hear once of a unit with nobody present.

The person away is named with the day they come back, never mentioned nor pinged; the deputy
(or the unit's other liaisons) are mentioned in the group and told in their private chat (if
they have opened it: a bot may not write first), so a reminder reaches somebody even when the
group is quiet. When the leave is over the same
notices go out as before, with no line added.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from workflows import keys
from workflows.messages import msg
from workflows.people.leave import Cover, away_lines, cover_line, cover_of
from workflows.planner.state import Plan, Planned, PlannerState


def covers(state: PlannerState, now: datetime) -> dict[int, Cover]:
    """Each unit's cover at the plan's moment, for units with someone away."""
    out = {}
    for unit_id in state.units:
        cover = cover_of(unit_id, state.liaisons.get(unit_id, ()), state.absences, now)
        if cover.away:
            out[unit_id] = cover
    return out


def plan_nobody_present(plan: Plan, found: dict[int, Cover]) -> None:
    """Once per stretch, to the supervisors: a unit whose liaisons are all away."""
    state = plan.state
    for unit_id, cover in found.items():
        if not cover.nobody or cover.since is None:
            continue
        away = away_lines(cover, _names(state, unit_id), state.tz)
        text = msg("leave.nobody_present", unit=state.units[unit_id].name, away=away)
        for chat in state.supervisors:
            plan.add(keys.leave_nobody(unit_id, cover.since, chat), "leave.nobody", chat, text)


def with_cover(
    planned: list[Planned], state: PlannerState, found: dict[int, Cover]
) -> list[Planned]:
    """Notices to a unit with someone away: the cover line added, and a copy in private to
    each one who answers for the unit now."""
    if not found:
        return planned
    unit_of = {chat: u.unit_id for u in state.units.values() for chat in u.chats}
    out: list[Planned] = []
    for p in planned:
        cover = found.get(unit_of.get(p.chat_id, 0))
        if cover is None:
            out.append(p)
            continue
        names = _names(state, cover.unit_id)
        line = cover_line(cover, names, state.tz)
        out.append(replace(p, message=msg("leave.with_line", body=p.message, line=line)))
        unit = state.units[cover.unit_id].name
        for person in (p for p in cover.addressed if p.private):  # else only the group's line
            copy = msg("leave.private_copy", unit=unit, body=p.message, line=line)
            out.append(
                Planned(
                    keys.leave_cover(p.key, person.user_id),
                    "leave.cover",
                    person.user_id,
                    copy,
                    p.not_before,
                    late=p.late,
                    stage_at=p.stage_at,
                )
            )
    return out


def _names(state: PlannerState, unit_id: int) -> dict[int, str]:
    return {p.user_id: p.name for p in state.liaisons.get(unit_id, ())}


def covered(planned: list[Planned], state: PlannerState, now: datetime) -> list[Planned]:
    """Notices planned outside the planner's subjects (a notice's 已阅 reminder), told to a
    unit with someone away as the planner's own are (`with_cover`)."""
    return with_cover(planned, state, covers(state, now))
